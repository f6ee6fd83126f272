package io.edgeslice.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.ProtocolException;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.OnnxModel;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.Profiler;
import io.edgeslice.slicer.ProgressListener;
import io.edgeslice.slicer.SessionSettings;
import io.edgeslice.slicer.SlicerJson;
import io.edgeslice.slicer.SlicingException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One PROFILE run on the profiler thread: load the cached model, analyse it for the requested
 * input shapes and time its segments with the slicer's {@link Profiler}, with the settings this
 * agent runs slices with (its thread count, optimisation level extended). Every problem is a
 * ProtocolException whose code and message go back to the client.
 */
final class ProfileJob {
    /** The profile travels as a str field (at most 65,535 bytes); 24 segments take about 1.5 KB. */
    private static final int MAX_JSON_BYTES = 60_000;
    private static final ObjectMapper JSON = SlicerJson.mapper().disable(SerializationFeature.INDENT_OUTPUT);

    private final AgentConfig cfg;
    private final Path file;
    private final Message.ProfileRequest request;
    private final ProgressListener progress;

    ProfileJob(AgentConfig cfg, Path file, Message.ProfileRequest request, ProgressListener progress) {
        this.cfg = cfg;
        this.file = file;
        this.request = request;
        this.progress = progress;
    }

    /** The profile as the slicer's JSON. */
    String run() {
        String what = "agent " + cfg.name() + " cannot profile model " + request.modelHash();
        OnnxModel model;
        try {
            model = OnnxModel.load(file);
        } catch (SlicingException e) {
            throw new ProtocolException(ErrorCode.BAD_MODEL, what + ": it does not load: " + e.getMessage());
        }
        Analysis analysis;
        try {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            request.inputShapes().forEach(s -> shapes.put(s.name(), s.dims().stream().mapToLong(Long::longValue).toArray()));
            analysis = Analysis.of(model, InputShapes.of(shapes), SessionSettings.DEFAULT, null);
        } catch (SlicingException e) {
            // the analysis checks the shapes against the model; its other failures are the model's
            ErrorCode code = e.getMessage().contains("input") ? ErrorCode.BAD_INPUT : ErrorCode.BAD_MODEL;
            throw new ProtocolException(code, what + ": " + e.getMessage());
        }
        Profile profile;
        try {
            SessionSettings settings = new SessionSettings(cfg.threads(), SessionSettings.Optimization.EXTENDED);
            profile = Profiler.profile(analysis, cfg.name(), new Profiler.Options(24, 2, request.runs(), settings), progress);
        } catch (SlicingException e) {
            throw new ProtocolException(ErrorCode.INFERENCE, what + ": " + e.getMessage());
        }
        try {
            String json = JSON.writeValueAsString(profile);
            if (json.length() > MAX_JSON_BYTES) {
                throw new ProtocolException(ErrorCode.INTERNAL, what + ": its profile takes " + json.length() + " bytes, more than a message carries");
            }
            return json;
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.INTERNAL, what + ": " + e.getMessage());
        }
    }
}
