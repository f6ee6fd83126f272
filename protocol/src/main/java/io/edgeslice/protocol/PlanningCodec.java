package io.edgeslice.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Bodies of the planning commands (PROFILE to PROBE_ACK, docs/protocol.md 5.9), kept apart from
 * {@link Codec} so that the protocol's older commands and these can change independently.
 */
final class PlanningCodec {
    private PlanningCodec() {
    }

    /** Writes the body; returns the payload frame (PROBE) or null. */
    static ByteBuffer encode(BodyWriter w, Message m) {
        if (m instanceof Message.ProfileRequest p) {
            w.uuid(p.requestId()).hash(p.modelHash()).i64(p.modelSize()).i32(p.runs()).u16(p.inputShapes().size());
            for (Message.InputShape s : p.inputShapes()) {
                w.str(s.name()).u16(s.dims().size());
                s.dims().forEach(w::i64);
            }
        } else if (m instanceof Message.ProfileProgress p) {
            w.uuid(p.requestId()).i32(p.done()).i32(p.total()).str(p.step());
        } else if (m instanceof Message.Profiled p) {
            w.uuid(p.requestId()).str(p.agent()).bool(p.cached()).str(p.profileJson());
        } else if (m instanceof Message.LinkProbe p) {
            w.uuid(p.requestId()).str(p.target()).i32(p.probeBytes());
        } else if (m instanceof Message.Link l) {
            w.uuid(l.requestId()).str(l.from()).str(l.to()).f64(l.mbps()).f64(l.ms());
        } else if (m instanceof Message.Probe p) {
            w.uuid(p.requestId()).i32(p.seq());
            return p.payload();
        } else if (m instanceof Message.ProbeAck a) {
            w.uuid(a.requestId()).i32(a.seq()).i32(a.bytes());
        } else {
            throw new IllegalArgumentException("not a planning message: " + m.command());
        }
        return null;
    }

    static Message decode(BodyReader r, Command cmd, List<ByteBuffer> frames) {
        return switch (cmd) {
            case PROFILE -> {
                var id = r.uuid();
                String hash = r.hash();
                long size = r.i64();
                int runs = r.i32();
                int n = r.count(4);
                List<Message.InputShape> shapes = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String name = r.str();
                    int rank = r.count(8);
                    List<Long> dims = new ArrayList<>(rank);
                    for (int d = 0; d < rank; d++) {
                        dims.add(r.i64());
                    }
                    shapes.add(new Message.InputShape(name, dims));
                }
                yield new Message.ProfileRequest(id, hash, size, runs, shapes);
            }
            case PROFILE_PROGRESS -> new Message.ProfileProgress(r.uuid(), r.i32(), r.i32(), r.str());
            case PROFILED -> new Message.Profiled(r.uuid(), r.str(), r.bool(), r.str());
            case LINK_PROBE -> new Message.LinkProbe(r.uuid(), r.str(), r.i32());
            case LINK -> new Message.Link(r.uuid(), r.str(), r.str(), r.f64(), r.f64());
            case PROBE -> {
                if (frames.size() < 3) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "PROBE lacks its payload frame");
                }
                yield new Message.Probe(r.uuid(), r.i32(), frames.get(2).slice());
            }
            case PROBE_ACK -> new Message.ProbeAck(r.uuid(), r.i32(), r.i32());
            default -> throw new IllegalArgumentException("not a planning command: " + cmd);
        };
    }
}
