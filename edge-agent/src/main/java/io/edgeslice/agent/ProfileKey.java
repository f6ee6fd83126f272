package io.edgeslice.agent;

import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import java.util.stream.Collectors;

/** A profile is measured once per model and input shapes (e.g. {@code x=1x3x320x320}). */
record ProfileKey(String modelHash, String shapes) {
    static ProfileKey of(Message.ProfileRequest p) {
        return new ProfileKey(p.modelHash(), p.inputShapes().stream()
                .map(s -> s.name() + "=" + Tensor.shapeString(s.dims().stream().mapToLong(Long::longValue).toArray()))
                .collect(Collectors.joining(" ")));
    }
}
