package io.edgeslice.protocol;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/**
 * One realistic message of every command, telling one story: a 10-byte "model" is uploaded, run
 * as one task on agent cam-01 and reported. docs/protocol.md's worked examples use these values.
 */
final class SampleMessages {
    static final UUID TASK_ID = UUID.fromString("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    /** Starts like an ONNX ModelProto (field 1, ir_version 7), which is all the client checks. */
    static final byte[] MODEL = {0x08, 0x07, 0x12, 0x07, 'p', 'y', 't', 'o', 'r', 'c'};
    static final String MODEL_HASH = Hashing.sha256(MODEL);
    static final String AGENT = "cam-01";
    static final String DATA_ENDPOINT = "tcp://10.0.0.7:5556";
    static final String ORT_TARGET = "onnxruntime-1.23.2 aarch64 asimd+asimdhp+asimddp";
    /** The same model cut in two at position 12 (of 30), each slice uploaded as a model of its own. */
    static final String SLICE_A = Hashing.sha256("slice 0-12".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    static final String SLICE_B = Hashing.sha256("slice 12-30".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    static final String CLIENT_DATA = "tcp://10.0.0.9:40123";
    /** Planning (section 5.9): the client profiles the model on cam-01 and measures its link to cam-02. */
    static final UUID REQUEST_ID = UUID.fromString("9b2e7c10-5d3a-4f6e-8a1b-2c3d4e5f6a7b");
    static final String PROFILE_JSON = "{\"format\":1,\"model\":\"m.onnx\",\"model_sha256\":\"" + MODEL_HASH + "\",\"order\":\"file\",\"nodes\":30,\"input_shapes\":{\"input\":[1,2]},"
            + "\"device\":\"cam-01\",\"threads\":0,\"positions\":[0,12,30],\"bytes\":[8,8,8],\"segment_ms\":[1.5,2.25],\"whole_ms\":3.5,\"runs\":5}";

    private SampleMessages() {
    }

    static Tensor input() {
        return Tensor.ofFloats("input", new long[] {1, 2}, new float[] {1.5f, -2.0f});
    }

    static Tensor output() {
        return Tensor.ofFloats("output", new long[] {1, 2}, new float[] {0.25f, 0.75f});
    }

    static Message.Route route() {
        return new Message.Route(MODEL_HASH, 3, List.of(new Message.Stage(0, 12, SLICE_A, 6, AGENT, DATA_ENDPOINT),
                new Message.Stage(12, 30, SLICE_B, 4, "cam-02", "tcp://10.0.0.8:5556")));
    }

    static Tensor activation() {
        return Tensor.ofFloats("act", new long[] {1, 2}, new float[] {0.5f, 4.0f});
    }

    static ByteBuffer model() {
        return ByteBuffer.wrap(MODEL.clone());
    }

    /** Every command at least once, in the order of {@link Command}. */
    static List<Message> all() {
        return List.of(
                new Message.Ready(AGENT, 1732610000000L, DATA_ENDPOINT,
                        new Message.Capabilities(AGENT, "aarch64", "Linux", 4, 4L << 30, List.of("CPU"), 2, ORT_TARGET)),
                new Message.Heartbeat(42, 37.5, 1L << 30, 4L << 30, 1.25, List.of(TASK_ID), List.of(MODEL_HASH), 17, 1),
                Message.Heartbeat.fromBroker(7),
                new Message.Task(TASK_ID, 1, MODEL_HASH, MODEL.length, 29950, List.of(input())),
                new Message.Result(TASK_ID, 1, AGENT, 1830, List.of(output())),
                new Message.Failed(TASK_ID, 0, ErrorCode.MODEL_MISSING, "upload the model first"),
                new Message.Fetch(MODEL_HASH, 0, 1 << 20),
                new Message.Chunk(MODEL_HASH, 0, MODEL.length, Message.Chunk.CODEC_NONE, MODEL.length, Hashing.crc32c(model()), model()),
                new Message.Disconnect("unknown agent: send READY"),
                new Message.Deploy(MODEL_HASH, MODEL.length),
                new Message.Submit(TASK_ID, 5, 30000, MODEL_HASH, List.of(input())),
                new Message.Accepted(TASK_ID, 3),
                new Message.Expired(TASK_ID),
                new Message.Query(TASK_ID),
                new Message.ModelOffer(MODEL_HASH, MODEL.length),
                new Message.ModelChunk(MODEL_HASH, 0, Hashing.crc32c(model()), model()),
                new Message.ModelStatus(MODEL_HASH, true, MODEL.length),
                new Message.ListAgents(),
                new Message.Agents(List.of(new Message.AgentRow(AGENT, AGENT, "aarch64", 4, "healthy", 37.5, 1L << 30, 4L << 30, 1.25, 1,
                        420, List.of(MODEL_HASH), 17, 1, DATA_ENDPOINT, ORT_TARGET))),
                new Message.DeployRoute(MODEL_HASH, List.of(new Message.Stage(0, 12, SLICE_A, 6, "", ""), new Message.Stage(12, 30, SLICE_B, 4, "cam-02", ""))),
                route(),
                new Message.RouteQuery(MODEL_HASH),
                new Message.ListRoutes(),
                Message.UndeployRoute.of(MODEL_HASH, 1),
                Message.UndeployRoute.every(MODEL_HASH),
                new Message.Route(MODEL_HASH, 1, 4, List.of(), Transport.NONE), // a withdrawn replica
                new Message.Route(MODEL_HASH, 2, 1, List.of(new Message.Stage(0, 83, SLICE_A, 6, AGENT, DATA_ENDPOINT)), Transport.NONE,
                        ORT_TARGET), // one slice of an optimised graph
                new Message.Routes(List.of(route())),
                new Message.Activation(TASK_ID, 1, 3, MODEL_HASH, 0, 0, 12, CLIENT_DATA, Codec.tensorsCrc(List.of(activation())), Transport.NONE, 41_250,
                        List.of(activation())),
                new Message.Ack(TASK_ID, 1, 12),
                new Message.ProfileRequest(REQUEST_ID, MODEL_HASH, MODEL.length, 5, List.of(new Message.InputShape("input", List.of(1L, 2L)))),
                new Message.ProfileProgress(REQUEST_ID, 2, 3, "profiling segment 12-30"),
                new Message.Profiled(REQUEST_ID, AGENT, false, PROFILE_JSON),
                new Message.LinkProbe(REQUEST_ID, "tcp://10.0.0.8:5556", 1 << 20),
                new Message.Link(REQUEST_ID, AGENT, "tcp://10.0.0.8:5556", 94.5, 0.75),
                new Message.Probe(REQUEST_ID, 1, ByteBuffer.wrap(new byte[8])),
                new Message.ProbeAck(REQUEST_ID, 1, 8));
    }
}
