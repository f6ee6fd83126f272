package io.edgeslice.console;

import atlantafx.base.theme.PrimerDark;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** Puts a console into a stage, with the AtlantaFX theme. FX thread. */
public final class ConsoleWindow {
    /** The window's size; the screenshot has it too. */
    public static final double WIDTH = 1600;
    public static final double HEIGHT = 1000;

    private ConsoleWindow() {
    }

    public static ConsoleView show(Stage stage, ConsoleRuntime runtime) {
        Application.setUserAgentStylesheet(new PrimerDark().getUserAgentStylesheet());
        ConsoleView view = new ConsoleView(runtime.viewModel());
        stage.setTitle("EdgeSlice console · " + String.join(" ", runtime.source().endpoints()));
        stage.setScene(new Scene(view, WIDTH, HEIGHT));
        stage.show();
        return view;
    }
}
