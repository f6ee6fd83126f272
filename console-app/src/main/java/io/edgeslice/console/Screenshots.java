package io.edgeslice.console;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javax.imageio.ImageIO;

/** Renders the console headless (Monocle, software pipeline) and writes PNGs. */
public final class Screenshots {
    private Screenshots() {
    }

    /**
     * Selects Monocle's headless glass and the software renderer. Must run before the JavaFX
     * toolkit starts; Monocle is on the class path (a runtime dependency), never named in code.
     */
    public static void useHeadlessGlass() {
        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("prism.order", "sw");
        System.setProperty("java.awt.headless", "true");
        System.setProperty("headless.geometry", (int) ConsoleWindow.WIDTH + "x" + (int) ConsoleWindow.HEIGHT + "-32");
    }

    /** Renders the scene (FX thread) and returns the image, to be written off the FX thread. */
    public static BufferedImage render(Scene scene) {
        WritableImage img = scene.snapshot(null);
        return SwingFXUtils.fromFXImage(img, null);
    }

    public static void write(BufferedImage image, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JVM");
        }
    }
}
