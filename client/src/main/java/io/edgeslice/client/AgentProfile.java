package io.edgeslice.client;

/**
 * A model's profile measured by an agent on its own hardware.
 *
 * @param agent       the agent's name (also the profile's device)
 * @param profileJson the slicer's profile JSON ({@code SlicerJson.mapper().readValue(json, Profile.class)})
 * @param cached      whether the agent had measured it for an earlier request
 */
public record AgentProfile(String agent, String profileJson, boolean cached) {
}
