package io.edgeslice.cli;

import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.protocol.Wire;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Runs the tail of a route, from stage {@code s} to the end, by sending stage s its real input
 * straight to its data endpoint: the RESULT then carries the compute time of stages s..last as the
 * agents measured it, so differences between tails give each stage's time in its own agent
 * process (which may run faster or slower than the same slice in the harness).
 */
final class TailRuns implements AutoCloseable {
    private static final int TIMEOUT_MS = 60_000;

    private final ZContext ctx = new ZContext();
    private final Message.Route route;
    private final List<ZMQ.Socket> stages = new ArrayList<>();
    private final ZMQ.Socket results;
    private final String replyTo;

    TailRuns(Message.Route route) {
        this.route = route;
        results = ctx.createSocket(SocketType.ROUTER);
        results.setReceiveTimeOut(TIMEOUT_MS);
        replyTo = "tcp://127.0.0.1:" + results.bindToRandomPort("tcp://127.0.0.1");
        for (Message.Stage st : route.stages()) {
            ZMQ.Socket s = ctx.createSocket(SocketType.DEALER);
            s.setHandshakeIvl(2000);
            s.setLinger(0);
            s.connect(st.dataEndpoint());
            stages.add(s);
        }
    }

    /** Microseconds of compute from stage {@code s} to the last, for this input of stage s. */
    long computeMicros(int s, List<Tensor> input) {
        UUID task = UUID.randomUUID();
        int position = route.stages().get(s).start();
        Wire.send(stages.get(s), null, new Message.Activation(task, 1, route.epoch(), route.modelHash(), route.replica(), position, position,
                replyTo, Codec.tensorsCrc(input), route.transport(), input), false);
        while (true) {
            List<ByteBuffer> frames = Wire.receive(results, 0);
            if (frames == null) {
                throw new IllegalStateException("no result from stage " + s + " on within " + TIMEOUT_MS / 1000 + " s");
            }
            Message m = Codec.decode(frames.subList(1, frames.size()));
            if (m instanceof Message.Result r && r.taskId().equals(task)) {
                while (Wire.receive(stages.get(s), ZMQ.DONTWAIT) != null) {
                    // the stage's ACK
                }
                return r.computeMicros();
            }
            if (m instanceof Message.Failed f && f.taskId().equals(task)) {
                throw new IllegalStateException("stage " + s + " failed: " + f.code() + " " + f.message());
            }
        }
    }

    @Override
    public void close() {
        ctx.close();
    }
}
