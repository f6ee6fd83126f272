package io.edgeslice.protocol;

import io.edgeslice.protocol.Message.AgentRow;
import io.edgeslice.protocol.Message.Capabilities;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Encodes messages to frames and back. Frame 0 is the 4-byte signature {@code 'E' 'S' version
 * command}; frame 1 the big-endian body; messages with tensors end with two frames per tensor (a
 * header and the raw little-endian data, passed through without copying). See docs/protocol.md.
 */
public final class Codec {
    /** The protocol version this build speaks; a peer with another version is answered VERSION. */
    public static final int VERSION = 1;
    private static final byte MAGIC_0 = 'E';
    private static final byte MAGIC_1 = 'S';

    private Codec() {
    }

    public static List<ByteBuffer> encode(Message m) {
        List<ByteBuffer> frames = new ArrayList<>(4);
        frames.add(ByteBuffer.wrap(new byte[] {MAGIC_0, MAGIC_1, VERSION, (byte) m.command().code()}));
        BodyWriter w = new BodyWriter(64);
        List<Tensor> tensors = List.of();
        Transport transport = Transport.NONE;
        ByteBuffer payload = null;
        switch (m.command()) {
            case READY -> {
                Message.Ready r = (Message.Ready) m;
                w.str(r.name()).i64(r.incarnation()).str(r.dataEndpoint());
                Capabilities c = r.capabilities();
                w.str(c.host()).str(c.arch()).str(c.os()).i32(c.cores()).i64(c.memoryBytes()).i32(c.slots());
                w.u16(c.executionProviders().size());
                c.executionProviders().forEach(w::str);
                w.str(c.ortTarget());
            }
            case HEARTBEAT -> {
                Message.Heartbeat h = (Message.Heartbeat) m;
                w.i64(h.seq()).f64(h.cpuPercent()).i64(h.memoryUsedBytes()).i64(h.memoryTotalBytes()).f64(h.loadAverage())
                        .i64(h.tasksDone()).i64(h.tasksFailed());
                w.u16(h.inflightTasks().size());
                h.inflightTasks().forEach(w::uuid);
                w.u16(h.cachedModels().size());
                h.cachedModels().forEach(w::hash);
            }
            case TASK -> {
                Message.Task t = (Message.Task) m;
                w.uuid(t.taskId()).i32(t.attempt()).hash(t.modelHash()).i64(t.modelSize()).i64(t.deadlineMs());
                tensors = t.inputs();
            }
            case RESULT -> {
                Message.Result r = (Message.Result) m;
                w.uuid(r.taskId()).i32(r.attempt()).str(r.agent()).i64(r.computeMicros());
                tensors = r.outputs();
            }
            case FAILED -> {
                Message.Failed f = (Message.Failed) m;
                w.uuid(f.taskId()).i32(f.attempt()).u16(f.code().code()).str(f.message());
            }
            case FETCH -> {
                Message.Fetch f = (Message.Fetch) m;
                w.hash(f.modelHash()).i64(f.offset()).i32(f.maxLength());
            }
            case CHUNK -> {
                Message.Chunk c = (Message.Chunk) m;
                w.hash(c.modelHash()).i64(c.offset()).i64(c.totalSize()).u8(c.codec()).i32(c.rawLength()).i32(c.crc32c());
                payload = c.data();
            }
            case DEPLOY_ROUTE -> {
                Message.DeployRoute d = (Message.DeployRoute) m;
                w.hash(d.modelHash()).u8(d.replica());
                stages(w, d.stages());
                w.u8(d.transport().code()).str(d.ortTarget());
            }
            case ROUTE -> route(w, (Message.Route) m);
            case ROUTE_QUERY -> w.hash(((Message.RouteQuery) m).modelHash());
            case LIST_ROUTES -> { }
            case UNDEPLOY_ROUTE -> {
                Message.UndeployRoute u = (Message.UndeployRoute) m;
                w.hash(u.modelHash()).u8(u.everyReplica() ? 1 : 0).u8(u.replica());
            }
            case ROUTES -> {
                Message.Routes rs = (Message.Routes) m;
                w.u16(rs.routes().size());
                rs.routes().forEach(r -> route(w, r));
            }
            case ACT -> {
                Message.Activation a = (Message.Activation) m;
                w.uuid(a.taskId()).i32(a.attempt()).i64(a.epoch()).hash(a.modelHash()).u8(a.replica()).i32(a.start()).i32(a.end()).str(a.replyTo())
                        .i32(a.crc32c()).u8(a.transport().code()).i64(a.computeMicros());
                tensors = a.tensors();
                transport = a.transport();
            }
            case ACK -> {
                Message.Ack a = (Message.Ack) m;
                w.uuid(a.taskId()).i32(a.attempt()).i32(a.end());
            }
            case DEPLOY -> {
                Message.Deploy d = (Message.Deploy) m;
                w.hash(d.modelHash()).i64(d.modelSize());
            }
            case DISCONNECT -> {
                Message.Disconnect d = (Message.Disconnect) m;
                w.str(d.reason());
            }
            case SUBMIT -> {
                Message.Submit s = (Message.Submit) m;
                w.uuid(s.taskId()).u8(s.priority()).i64(s.deadlineMs()).hash(s.modelHash());
                tensors = s.inputs();
            }
            case ACCEPTED -> {
                Message.Accepted a = (Message.Accepted) m;
                w.uuid(a.taskId()).i32(a.queuePosition());
            }
            case EXPIRED -> {
                Message.Expired e = (Message.Expired) m;
                w.uuid(e.taskId());
            }
            case QUERY -> {
                Message.Query q = (Message.Query) m;
                w.uuid(q.taskId());
            }
            case MODEL_OFFER -> {
                Message.ModelOffer o = (Message.ModelOffer) m;
                w.hash(o.modelHash()).i64(o.size());
            }
            case MODEL_CHUNK -> {
                Message.ModelChunk c = (Message.ModelChunk) m;
                w.hash(c.modelHash()).i64(c.offset()).i32(c.crc32c());
                payload = c.data();
            }
            case MODEL_STATUS -> {
                Message.ModelStatus s = (Message.ModelStatus) m;
                w.hash(s.modelHash()).bool(s.complete()).i64(s.receivedBytes());
            }
            case LIST_AGENTS -> {
            }
            case AGENTS -> {
                Message.Agents a = (Message.Agents) m;
                w.u16(a.agents().size());
                for (AgentRow r : a.agents()) {
                    w.str(r.name()).str(r.host()).str(r.arch()).i32(r.cores()).str(r.state()).f64(r.cpuPercent())
                            .i64(r.memoryUsedBytes()).i64(r.memoryTotalBytes()).f64(r.loadAverage()).i32(r.inflight())
                            .i64(r.heartbeatAgeMs()).i64(r.tasksDone()).i64(r.tasksFailed()).str(r.dataEndpoint());
                    w.u16(r.models().size());
                    r.models().forEach(w::hash);
                    w.str(r.ortTarget());
                }
            }
            case PROFILE, PROFILE_PROGRESS, PROFILED, LINK_PROBE, LINK, PROBE, PROBE_ACK -> payload = PlanningCodec.encode(w, m);
            default -> throw new IllegalStateException("unreachable");
        }
        if (!tensors.isEmpty() || m instanceof Message.Task || m instanceof Message.Result || m instanceof Message.Submit
                || m instanceof Message.Activation) {
            w.u16(tensors.size());
        }
        frames.add(w.finish());
        if (payload != null) {
            frames.add(payload.duplicate());
        }
        for (Tensor t : tensors) {
            frames.add(TensorCodec.encodeHeader(t));
            frames.add(transport.encode(t));
        }
        return frames;
    }

    /**
     * Decodes frames (without any routing identity). Throws ProtocolException with MALFORMED or
     * VERSION for anything that is not a well-formed message of this version.
     */
    public static Message decode(List<ByteBuffer> frames) {
        if (frames.size() < 2) {
            throw new ProtocolException(ErrorCode.MALFORMED, "message has " + frames.size() + " frame(s); at least 2 expected");
        }
        Command cmd = signature(frames.get(0));
        BodyReader r = new BodyReader(frames.get(1), cmd.name());
        Message m = switch (cmd) {
            case READY -> {
                String name = r.str();
                long inc = r.i64();
                String ep = r.str();
                String host = r.str();
                String arch = r.str();
                String os = r.str();
                int cores = r.i32();
                long mem = r.i64();
                int slots = r.i32();
                int n = r.count(2);
                List<String> eps = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    eps.add(r.str());
                }
                yield new Message.Ready(name, inc, ep, new Capabilities(host, arch, os, cores, mem, eps, slots, r.str()));
            }
            case HEARTBEAT -> {
                long seq = r.i64();
                double cpu = r.f64();
                long used = r.i64();
                long total = r.i64();
                double load = r.f64();
                long done = r.i64();
                long failed = r.i64();
                int n = r.count(16);
                List<UUID> tasks = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    tasks.add(r.uuid());
                }
                int k = r.count(32);
                List<String> models = new ArrayList<>(k);
                for (int i = 0; i < k; i++) {
                    models.add(r.hash());
                }
                yield new Message.Heartbeat(seq, cpu, used, total, load, tasks, models, done, failed);
            }
            case TASK -> new Message.Task(r.uuid(), r.i32(), r.hash(), r.i64(), r.i64(), tensors(r, frames, 2));
            case RESULT -> new Message.Result(r.uuid(), r.i32(), r.str(), r.i64(), tensors(r, frames, 2));
            case FAILED -> new Message.Failed(r.uuid(), r.i32(), ErrorCode.fromCode(r.u16()), r.str());
            case FETCH -> new Message.Fetch(r.hash(), r.i64(), r.i32());
            case CHUNK -> new Message.Chunk(r.hash(), r.i64(), r.i64(), r.u8(), r.i32(), r.i32(), payload(frames, cmd));
            case DEPLOY -> new Message.Deploy(r.hash(), r.i64());
            case DEPLOY_ROUTE -> new Message.DeployRoute(r.hash(), r.u8(), stages(r), Transport.forRoute(r.u8()), r.str());
            case ROUTE -> route(r);
            case ROUTE_QUERY -> new Message.RouteQuery(r.hash());
            case LIST_ROUTES -> new Message.ListRoutes();
            case UNDEPLOY_ROUTE -> {
                String model = r.hash();
                int every = r.u8();
                int replica = r.u8();
                if (every > 1) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "UNDEPLOY_ROUTE: every replica must be 0 or 1, got " + every);
                }
                yield new Message.UndeployRoute(model, every == 1, replica); // which checks the replica against the flag
            }
            case ROUTES -> {
                int n = r.count(41);
                List<Message.Route> routes = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    routes.add(route(r));
                }
                yield new Message.Routes(routes);
            }
            case ACT -> {
                UUID id = r.uuid();
                int attempt = r.i32();
                long epoch = r.i64();
                String model = r.hash();
                int replica = r.u8();
                int start = r.i32();
                int end = r.i32();
                String replyTo = r.str();
                int crc = r.i32();
                Transport transport = Transport.fromCode(r.u8());
                long computeMicros = r.i64();
                yield new Message.Activation(id, attempt, epoch, model, replica, start, end, replyTo, crc, transport, computeMicros,
                        tensors(r, frames, 2, transport));
            }
            case ACK -> new Message.Ack(r.uuid(), r.i32(), r.i32());
            case DISCONNECT -> new Message.Disconnect(r.str());
            case SUBMIT -> new Message.Submit(r.uuid(), r.u8(), r.i64(), r.hash(), tensors(r, frames, 2));
            case ACCEPTED -> new Message.Accepted(r.uuid(), r.i32());
            case EXPIRED -> new Message.Expired(r.uuid());
            case QUERY -> new Message.Query(r.uuid());
            case MODEL_OFFER -> new Message.ModelOffer(r.hash(), r.i64());
            case MODEL_CHUNK -> new Message.ModelChunk(r.hash(), r.i64(), r.i32(), payload(frames, cmd));
            case MODEL_STATUS -> new Message.ModelStatus(r.hash(), r.bool(), r.i64());
            case LIST_AGENTS -> new Message.ListAgents();
            case AGENTS -> {
                int n = r.count(40);
                List<AgentRow> rows = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String name = r.str();
                    String host = r.str();
                    String arch = r.str();
                    int cores = r.i32();
                    String state = r.str();
                    double cpu = r.f64();
                    long used = r.i64();
                    long total = r.i64();
                    double load = r.f64();
                    int inflight = r.i32();
                    long age = r.i64();
                    long done = r.i64();
                    long failed = r.i64();
                    String ep = r.str();
                    int k = r.count(32);
                    List<String> models = new ArrayList<>(k);
                    for (int j = 0; j < k; j++) {
                        models.add(r.hash());
                    }
                    rows.add(new AgentRow(name, host, arch, cores, state, cpu, used, total, load, inflight, age, models, done, failed, ep, r.str()));
                }
                yield new Message.Agents(rows);
            }
            case PROFILE, PROFILE_PROGRESS, PROFILED, LINK_PROBE, LINK, PROBE, PROBE_ACK -> PlanningCodec.decode(r, cmd, frames);
        };
        r.end();
        int expectedFrames = switch (cmd) {
            case TASK -> 2 + 2 * ((Message.Task) m).inputs().size();
            case RESULT -> 2 + 2 * ((Message.Result) m).outputs().size();
            case SUBMIT -> 2 + 2 * ((Message.Submit) m).inputs().size();
            case ACT -> 2 + 2 * ((Message.Activation) m).tensors().size();
            case CHUNK, MODEL_CHUNK, PROBE -> 3;
            default -> 2;
        };
        if (frames.size() != expectedFrames) {
            throw new ProtocolException(ErrorCode.MALFORMED, cmd + " has " + frames.size() + " frames; expected " + expectedFrames);
        }
        return m;
    }

    private static void stages(BodyWriter w, List<Message.Stage> stages) {
        w.u16(stages.size());
        for (Message.Stage st : stages) {
            w.i32(st.start()).i32(st.end()).hash(st.sliceHash()).i64(st.sliceSize()).str(st.agent()).str(st.dataEndpoint());
        }
    }

    private static List<Message.Stage> stages(BodyReader r) {
        int n = r.count(52);
        List<Message.Stage> stages = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            stages.add(new Message.Stage(r.i32(), r.i32(), r.hash(), r.i64(), r.str(), r.str()));
        }
        return stages;
    }

    private static void route(BodyWriter w, Message.Route route) {
        w.hash(route.modelHash()).u8(route.replica()).i64(route.epoch());
        stages(w, route.stages());
        w.u8(route.transport().code()).str(route.ortTarget());
    }

    private static Message.Route route(BodyReader r) {
        return new Message.Route(r.hash(), r.u8(), r.i64(), stages(r), Transport.forRoute(r.u8()), r.str());
    }

    /** CRC32C over the data of every tensor, in order: the checksum an activation carries. */
    public static int tensorsCrc(List<Tensor> tensors) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        for (Tensor t : tensors) {
            c.update(t.data().duplicate());
        }
        return (int) c.getValue();
    }

    /** The two frames per tensor that messages carry, e.g. to store a task's inputs. */
    public static List<ByteBuffer> tensorFrames(List<Tensor> tensors) {
        List<ByteBuffer> frames = new ArrayList<>(2 * tensors.size());
        for (Tensor t : tensors) {
            frames.add(TensorCodec.encodeHeader(t));
            frames.add(t.data().duplicate());
        }
        return frames;
    }

    /** The inverse of {@link #tensorFrames}. */
    public static List<Tensor> tensorsFromFrames(List<ByteBuffer> frames) {
        if (frames.size() % 2 != 0) {
            throw new ProtocolException(ErrorCode.MALFORMED, "tensor frames come in pairs; got " + frames.size());
        }
        List<Tensor> out = new ArrayList<>(frames.size() / 2);
        for (int i = 0; i < frames.size(); i += 2) {
            out.add(TensorCodec.decode(frames.get(i), frames.get(i + 1)));
        }
        return out;
    }

    /** Reads frame 0, rejecting foreign traffic and other protocol versions. */
    public static Command signature(ByteBuffer f0) {
        ByteBuffer b = f0.duplicate();
        if (b.remaining() != 4 || b.get(b.position()) != MAGIC_0 || b.get(b.position() + 1) != MAGIC_1) {
            throw new ProtocolException(ErrorCode.MALFORMED, "frame 0 is not an EdgeSlice signature ('E' 'S' version command)");
        }
        int version = b.get(b.position() + 2) & 0xff;
        if (version != VERSION) {
            throw new ProtocolException(ErrorCode.VERSION, "protocol version " + version + " is not supported; this peer speaks version " + VERSION);
        }
        return Command.fromCode(b.get(b.position() + 3));
    }

    private static ByteBuffer payload(List<ByteBuffer> frames, Command cmd) {
        if (frames.size() < 3) {
            throw new ProtocolException(ErrorCode.MALFORMED, cmd + " lacks its data frame");
        }
        return frames.get(2).slice();
    }

    private static List<Tensor> tensors(BodyReader r, List<ByteBuffer> frames, int first) {
        return tensors(r, frames, first, Transport.NONE);
    }

    private static List<Tensor> tensors(BodyReader r, List<ByteBuffer> frames, int first, Transport transport) {
        int n = r.u16();
        if (frames.size() != first + 2 * n) {
            throw new ProtocolException(ErrorCode.MALFORMED, "message announces " + n + " tensors but has " + (frames.size() - first) + " tensor frames");
        }
        List<Tensor> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ByteBuffer data = frames.get(first + 2 * i + 1);
            Tensor t = TensorCodec.decode(frames.get(first + 2 * i), data, transport);
            BufferPool.SHARED.transfer(data, t); // a pooled frame now belongs to its tensor
            out.add(t);
        }
        return out;
    }
}
