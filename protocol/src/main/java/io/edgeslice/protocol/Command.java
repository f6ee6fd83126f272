package io.edgeslice.protocol;

/** The command byte of every message (the fourth byte of frame 0). See docs/protocol.md. */
public enum Command {
    READY(0x01),
    HEARTBEAT(0x02),
    TASK(0x03),
    RESULT(0x04),
    FAILED(0x05),
    FETCH(0x06),
    CHUNK(0x07),
    DISCONNECT(0x08),
    DEPLOY(0x09),
    SUBMIT(0x10),
    ACCEPTED(0x11),
    EXPIRED(0x12),
    QUERY(0x13),
    MODEL_OFFER(0x14),
    MODEL_CHUNK(0x15),
    MODEL_STATUS(0x16),
    LIST_AGENTS(0x17),
    AGENTS(0x18),
    DEPLOY_ROUTE(0x20),
    ROUTE(0x21),
    ROUTE_QUERY(0x22),
    LIST_ROUTES(0x23),
    ROUTES(0x24),
    UNDEPLOY_ROUTE(0x25),
    ACT(0x30),
    ACK(0x31),
    // planning (docs/protocol.md 5.9)
    PROFILE(0x32),
    PROFILE_PROGRESS(0x33),
    PROFILED(0x34),
    LINK_PROBE(0x35),
    LINK(0x36),
    PROBE(0x37),
    PROBE_ACK(0x38);

    private final int code;

    Command(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    private static final Command[] BY_CODE = new Command[256];

    static {
        for (Command c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    public static Command fromCode(int code) {
        Command c = BY_CODE[code & 0xff];
        if (c == null) {
            throw new ProtocolException(ErrorCode.MALFORMED, String.format("unknown command 0x%02x", code & 0xff));
        }
        return c;
    }
}
