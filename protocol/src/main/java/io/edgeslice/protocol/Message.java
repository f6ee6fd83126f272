package io.edgeslice.protocol;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/**
 * Every message of the EdgeSlice control protocol, one record per command. Encoding and decoding
 * live in {@link Codec}; docs/protocol.md gives the frame layout of each.
 */
public sealed interface Message {

    /** The task id used by messages that are not about a task. */
    UUID NO_TASK = new UUID(0, 0);

    Command command();

    /** Agent to broker, first message on every (re)connection. */
    record Ready(String name, long incarnation, String dataEndpoint, Capabilities capabilities) implements Message {
        public Command command() {
            return Command.READY;
        }
    }

    /**
     * Static capabilities of an agent's machine. {@code ortTarget} is its ONNX Runtime version and the
     * CPU features its kernels dispatch on ("" if unknown): slices of a graph optimised for one target
     * run only on agents of that target (see {@link Route#ortTarget()}).
     */
    record Capabilities(String host, String arch, String os, int cores, long memoryBytes, List<String> executionProviders, int slots,
                        String ortTarget) {
        public Capabilities {
            executionProviders = List.copyOf(executionProviders);
            ortTarget = ortTarget == null ? "" : ortTarget;
        }
    }

    /**
     * Agent to broker every second (live metrics), and broker to agent every second (with empty
     * metrics) so each side knows the other is alive.
     */
    record Heartbeat(long seq, double cpuPercent, long memoryUsedBytes, long memoryTotalBytes, double loadAverage,
                     List<UUID> inflightTasks, List<String> cachedModels, long tasksDone, long tasksFailed) implements Message {
        public Heartbeat {
            inflightTasks = List.copyOf(inflightTasks);
            cachedModels = List.copyOf(cachedModels);
        }

        public static Heartbeat fromBroker(long seq) {
            return new Heartbeat(seq, 0, 0, 0, 0, List.of(), List.of(), 0, 0);
        }

        public Command command() {
            return Command.HEARTBEAT;
        }
    }

    /** Broker to agent: run a model on these inputs. deadlineMs is time left, 0 for none. */
    record Task(UUID taskId, int attempt, String modelHash, long modelSize, long deadlineMs, List<Tensor> inputs) implements Message {
        public Task {
            inputs = List.copyOf(inputs);
        }

        public Command command() {
            return Command.TASK;
        }
    }

    /** Agent to broker, and broker to client: the outputs of a task. */
    record Result(UUID taskId, int attempt, String agent, long computeMicros, List<Tensor> outputs) implements Message {
        public Result {
            outputs = List.copyOf(outputs);
        }

        public Command command() {
            return Command.RESULT;
        }
    }

    /** Any direction: a task (or, with {@link #NO_TASK}, a message) failed with a code and a reason. */
    record Failed(UUID taskId, int attempt, ErrorCode code, String message) implements Message {
        public Command command() {
            return Command.FAILED;
        }
    }

    /** Agent to broker: send me up to maxLength bytes of a model from offset. */
    record Fetch(String modelHash, long offset, int maxLength) implements Message {
        public Command command() {
            return Command.FETCH;
        }
    }

    /**
     * Broker to agent: a piece of a model. codec is {@link #CODEC_NONE} or {@link #CODEC_ZSTD};
     * crc32c covers the uncompressed bytes.
     */
    record Chunk(String modelHash, long offset, long totalSize, int codec, int rawLength, int crc32c, ByteBuffer data) implements Message {
        public static final int CODEC_NONE = 0;
        public static final int CODEC_ZSTD = 1;

        public Command command() {
            return Command.CHUNK;
        }
    }

    /**
     * Broker to agent: fetch this model now and keep it cached (an operator placed it there). The
     * agent reports it in the cachedModels of its next heartbeats, or answers FAILED naming the hash.
     */
    record Deploy(String modelHash, long modelSize) implements Message {
        public Command command() {
            return Command.DEPLOY;
        }
    }

    /** Either direction: forget me / I am leaving; the agent registers again with READY. */
    record Disconnect(String reason) implements Message {
        public Command command() {
            return Command.DISCONNECT;
        }
    }

    /** Client to broker. priority 0 (lowest) to 9; deadlineMs relative to receipt, 0 for none. */
    record Submit(UUID taskId, int priority, long deadlineMs, String modelHash, List<Tensor> inputs) implements Message {
        public Submit {
            inputs = List.copyOf(inputs);
        }

        public Command command() {
            return Command.SUBMIT;
        }
    }

    /** Broker to client: the task is stored and queued. */
    record Accepted(UUID taskId, int queuePosition) implements Message {
        public Command command() {
            return Command.ACCEPTED;
        }
    }

    /** Broker to client: the task's deadline passed before it finished. */
    record Expired(UUID taskId) implements Message {
        public Command command() {
            return Command.EXPIRED;
        }
    }

    /** Client to broker: where is this task? Answered by ACCEPTED, RESULT, FAILED or EXPIRED. */
    record Query(UUID taskId) implements Message {
        public Command command() {
            return Command.QUERY;
        }
    }

    /** Client to broker: I am about to upload a model of this hash and size. */
    record ModelOffer(String modelHash, long size) implements Message {
        public Command command() {
            return Command.MODEL_OFFER;
        }
    }

    /** Client to broker: a piece of a model being uploaded; crc32c covers data. */
    record ModelChunk(String modelHash, long offset, int crc32c, ByteBuffer data) implements Message {
        public Command command() {
            return Command.MODEL_CHUNK;
        }
    }

    /** Broker to client: how much of a model the broker holds; complete once verified. */
    record ModelStatus(String modelHash, boolean complete, long receivedBytes) implements Message {
        public Command command() {
            return Command.MODEL_STATUS;
        }
    }

    /** Client to broker: send me the Metric Table. */
    record ListAgents() implements Message {
        public Command command() {
            return Command.LIST_AGENTS;
        }
    }

    /** Broker to client: the Metric Table. */
    record Agents(List<AgentRow> agents) implements Message {
        public Agents {
            agents = List.copyOf(agents);
        }

        public Command command() {
            return Command.AGENTS;
        }
    }

    /**
     * One stage of a route: the slice [start, end) of a model, stored as a model of its own
     * (sliceHash), placed on an agent that is reached at dataEndpoint. Unplaced stages (in a
     * DEPLOY_ROUTE) have an empty agent, or the agent the operator asks for.
     */
    record Stage(int start, int end, String sliceHash, long sliceSize, String agent, String dataEndpoint) {
    }

    /** The most routes (replicas) one model may have: replica numbers fit a u8. */
    int MAX_REPLICAS = 256;

    /**
     * Client to broker: place these slices of a model on agents (agent names optional) and make them
     * the model's route number {@code replica} (replacing that replica if it exists; replicas of one
     * model serve requests side by side).
     */
    record DeployRoute(String modelHash, int replica, List<Stage> stages, Transport transport, String ortTarget) implements Message {
        public DeployRoute {
            checkReplica(replica);
            checkRouteTransport(transport);
            stages = List.copyOf(stages);
            ortTarget = ortTarget == null ? "" : ortTarget;
        }

        /** Slices of the portable graph: any agent may run them. */
        public DeployRoute(String modelHash, int replica, List<Stage> stages, Transport transport) {
            this(modelHash, replica, stages, transport, "");
        }

        public DeployRoute(String modelHash, List<Stage> stages) {
            this(modelHash, 0, stages, Transport.NONE);
        }

        public Command command() {
            return Command.DEPLOY_ROUTE;
        }
    }

    /**
     * Broker to client and to every agent of the route: the stages of one of a model's routes
     * (replica) as of an epoch, and how activations travel between them. A higher epoch replaces a
     * lower one of the same replica; activations of another epoch are refused. {@code ortTarget} is ""
     * for slices of the portable graph, else the {@link Capabilities#ortTarget()} the slices were cut
     * for (ONNX Runtime's optimised graph): only agents of that target are given them.
     */
    record Route(String modelHash, int replica, long epoch, List<Stage> stages, Transport transport, String ortTarget) implements Message {
        public Route {
            checkReplica(replica);
            checkRouteTransport(transport);
            stages = List.copyOf(stages);
            ortTarget = ortTarget == null ? "" : ortTarget;
        }

        /** A route of slices of the portable graph. */
        public Route(String modelHash, int replica, long epoch, List<Stage> stages, Transport transport) {
            this(modelHash, replica, epoch, stages, transport, "");
        }

        public Route(String modelHash, long epoch, List<Stage> stages) {
            this(modelHash, 0, epoch, stages, Transport.NONE);
        }

        public Command command() {
            return Command.ROUTE;
        }
    }

    /** Client to broker: the current routes of a model, every replica (answered ROUTES, or FAILED NO_ROUTE). */
    record RouteQuery(String modelHash) implements Message {
        public Command command() {
            return Command.ROUTE_QUERY;
        }
    }

    /**
     * Client to broker: withdraw a model's route {@code replica}, or every route of the model
     * ({@code everyReplica}; replica is then 0). Answered ROUTES with the routes withdrawn, or FAILED
     * NO_ROUTE; each agent of a withdrawn route gets a ROUTE with the next epoch and no stages.
     */
    record UndeployRoute(String modelHash, boolean everyReplica, int replica) implements Message {
        public UndeployRoute {
            checkReplica(replica);
            if (everyReplica && replica != 0) {
                throw new ProtocolException(ErrorCode.MALFORMED, "UNDEPLOY_ROUTE: replica must be 0 when every replica is withdrawn, got " + replica);
            }
        }

        public static UndeployRoute every(String modelHash) {
            return new UndeployRoute(modelHash, true, 0);
        }

        public static UndeployRoute of(String modelHash, int replica) {
            return new UndeployRoute(modelHash, false, replica);
        }

        public Command command() {
            return Command.UNDEPLOY_ROUTE;
        }
    }

    /** Client to broker: every route (answered ROUTES). */
    record ListRoutes() implements Message {
        public Command command() {
            return Command.LIST_ROUTES;
        }
    }

    /** Broker to client: every route. */
    record Routes(List<Route> routes) implements Message {
        public Routes {
            routes = List.copyOf(routes);
        }

        public Command command() {
            return Command.ROUTES;
        }
    }

    /**
     * Data plane, sender to the next stage's agent: the tensors crossing position {@code end}
     * (the sender ran [start, end); a client sends start = end = 0). replyTo is the client's data
     * endpoint where the last stage sends the RESULT; crc32c covers every tensor's raw data in order;
     * transport is how the tensors' data frames are encoded on the wire (decoded tensors are raw);
     * computeMicros is the ONNX Runtime time the stages before this one spent on the input, summed
     * (0 from a client), so the last stage can report the request's whole compute time.
     */
    record Activation(UUID taskId, int attempt, long epoch, String modelHash, int replica, int start, int end, String replyTo, int crc32c,
                      Transport transport, long computeMicros, List<Tensor> tensors) implements Message {
        public Activation {
            checkReplica(replica);
            if (computeMicros < 0) {
                throw new ProtocolException(ErrorCode.MALFORMED, "computeMicros must not be negative, got " + computeMicros);
            }
            tensors = List.copyOf(tensors);
        }

        /** An activation no stage has computed on yet (a client's). */
        public Activation(UUID taskId, int attempt, long epoch, String modelHash, int replica, int start, int end, String replyTo, int crc32c,
                          Transport transport, List<Tensor> tensors) {
            this(taskId, attempt, epoch, modelHash, replica, start, end, replyTo, crc32c, transport, 0, tensors);
        }

        public Activation(UUID taskId, int attempt, long epoch, String modelHash, int start, int end, String replyTo, int crc32c,
                          List<Tensor> tensors) {
            this(taskId, attempt, epoch, modelHash, 0, start, end, replyTo, crc32c, Transport.NONE, 0, tensors);
        }

        public Command command() {
            return Command.ACT;
        }
    }

    /** Data plane, receiver to sender: the activation for position {@code end} is taken over. */
    record Ack(UUID taskId, int attempt, int end) implements Message {
        public Command command() {
            return Command.ACK;
        }
    }

    /** One row of the Metric Table as the broker sees it. state is healthy, suspect or lost. */
    record AgentRow(String name, String host, String arch, int cores, String state, double cpuPercent, long memoryUsedBytes,
                    long memoryTotalBytes, double loadAverage, int inflight, long heartbeatAgeMs, List<String> models,
                    long tasksDone, long tasksFailed, String dataEndpoint, String ortTarget) {
        public AgentRow {
            models = List.copyOf(models);
            ortTarget = ortTarget == null ? "" : ortTarget;
        }
    }

    // ---- planning: profiles and link speeds measured by the agents themselves (docs/protocol.md 5.9) ----

    /** The shape of one model input, fixing its dynamic dimensions for profiling. */
    record InputShape(String name, List<Long> dims) {
        public InputShape {
            dims = List.copyOf(dims);
        }
    }

    /**
     * Client to an agent's data endpoint: measure this model here (fetching it from the broker by
     * hash if needed) with these input shapes, timing each segment {@code runs} times. Answered by
     * PROFILE_PROGRESS messages, then PROFILED or FAILED.
     */
    record ProfileRequest(UUID requestId, String modelHash, long modelSize, int runs, List<InputShape> inputShapes) implements Message {
        public ProfileRequest {
            inputShapes = List.copyOf(inputShapes);
        }

        public Command command() {
            return Command.PROFILE;
        }
    }

    /** Agent to client: {@code done} of {@code total} profiling steps are finished; step says which is next. */
    record ProfileProgress(UUID requestId, int done, int total, String step) implements Message {
        public Command command() {
            return Command.PROFILE_PROGRESS;
        }
    }

    /**
     * Agent to client: the profile measured on this agent, in the slicer's profile JSON; cached when
     * it was measured for an earlier request with the same model and input shapes.
     */
    record Profiled(UUID requestId, String agent, boolean cached, String profileJson) implements Message {
        public Command command() {
            return Command.PROFILED;
        }
    }

    /**
     * Client to an agent's data endpoint: measure the link from this agent to {@code target} (another
     * agent's data endpoint, or the client's) with probes of up to {@code probeBytes}. Answered LINK or FAILED.
     */
    record LinkProbe(UUID requestId, String target, int probeBytes) implements Message {
        public Command command() {
            return Command.LINK_PROBE;
        }
    }

    /** Agent to client: the measured link, bandwidth in Mbit/s and one-way latency in ms. */
    record Link(UUID requestId, String from, String to, double mbps, double ms) implements Message {
        public Command command() {
            return Command.LINK;
        }
    }

    /** Prober to a data endpoint: payload bytes to be acknowledged at once with PROBE_ACK. */
    record Probe(UUID requestId, int seq, ByteBuffer payload) implements Message {
        public Command command() {
            return Command.PROBE;
        }
    }

    /** Data endpoint to prober: the probe {@code seq} arrived with {@code bytes} payload bytes. */
    record ProbeAck(UUID requestId, int seq, int bytes) implements Message {
        public Command command() {
            return Command.PROBE_ACK;
        }
    }

    private static void checkRouteTransport(Transport t) {
        if (t == Transport.SHARED) {
            throw new IllegalArgumentException(Transport.ROUTE_RULE);
        }
    }

    private static void checkReplica(int replica) {
        if (replica < 0 || replica >= MAX_REPLICAS) {
            throw new IllegalArgumentException("replica must be 0 to " + (MAX_REPLICAS - 1) + ", got " + replica);
        }
    }
}
