package io.edgeslice.console;

import static org.assertj.core.api.Assertions.assertThat;

import atlantafx.base.controls.Notification;
import atlantafx.base.theme.PrimerDark;
import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerConfig;
import io.edgeslice.broker.store.InMemoryMetricTable;
import io.edgeslice.console.agents.AgentItem;
import io.edgeslice.console.agents.AgentStatus;
import io.edgeslice.console.agents.DeploymentItem;
import io.edgeslice.console.models.ModelItem;
import io.edgeslice.console.testing.AgentProcesses;
import io.edgeslice.protocol.Message;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javafx.application.Application;
import javafx.css.PseudoClass;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.TableRow;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The console's views against a real embedded broker and a real agent process (headless Monocle).
 * Two agents serve the whole class, in the order an operator would meet them: they join, a model is
 * dropped on the window and dragged onto the first, charts fill, a slice is dragged onto the second
 * (the model becomes a route) and another slice moved, auto-plan has both agents profile the model
 * and the links timed and is applied, a bad file is refused, the first agent dies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleUiTest {
    private static final PseudoClass LOST = PseudoClass.getPseudoClass("lost");

    @TempDir
    static Path dir;
    private final FxRobot robot = new FxRobot();
    private Broker broker;
    private ConsoleRuntime runtime;
    private ConsoleView view;
    private AgentLauncher.RunningAgent agent;
    /** A second agent, for slices and plans: started with the first, still alive when the first is killed. */
    private AgentLauncher.RunningAgent agent2;
    /** What the test's drag source puts on the dragboard as files, like a file manager would. */
    private volatile File dragged;

    @BeforeAll
    void start() throws Exception {
        broker = Broker.start(BrokerConfig.onPort(0, dir.resolve("models")), new InMemoryMetricTable());
        Stage stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            Application.setUserAgentStylesheet(new PrimerDark().getUserAgentStylesheet());
            runtime = ConsoleRuntime.start(ConsoleSource.of(broker, "tcp://*:0"));
            view = new ConsoleView(runtime.viewModel());
            Label fileSource = new Label("drag a file from here");
            fileSource.setId("test-file-source");
            fileSource.setOnDragDetected(e -> {
                ClipboardContent c = new ClipboardContent();
                c.putFiles(List.of(dragged));
                fileSource.startDragAndDrop(TransferMode.COPY).setContent(c);
                e.consume();
            });
            VBox root = new VBox(view, fileSource);
            VBox.setVgrow(view, Priority.ALWAYS);
            s.setScene(new Scene(root, ConsoleWindow.WIDTH, ConsoleWindow.HEIGHT));
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stage.isShowing()).isTrue();
    }

    @AfterAll
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (agent2 != null) {
            agent2.close();
        }
        FxToolkit.cleanupStages();
        if (runtime != null) {
            runtime.close();
        }
        broker.close();
    }

    @Test
    @Order(1)
    void anAgentThatJoinsAppearsInTheTableWithinTwoSeconds() throws Exception {
        agent = new AgentProcesses().start(broker.endpoint(), "a1", Files.createDirectories(dir.resolve("cache-a1")), dir.resolve("a1.log"));
        agent2 = new AgentProcesses().start(broker.endpoint(), "a2", Files.createDirectories(dir.resolve("cache-a2")), dir.resolve("a2.log"));
        await(Duration.ofSeconds(90), () -> brokerRow("a1").isPresent(), "a1 to register with the broker; log " + agent.log());
        long joined = System.nanoTime();

        await(Duration.ofSeconds(2), () -> rowNode("a1").isPresent(), "a1's row in the Metric Table");
        long ms = (System.nanoTime() - joined) / 1_000_000;
        System.out.println("a1 joined -> row shown: " + ms + " ms");
        assertThat(ms).as("ms from the broker listing a1 to its row").isLessThanOrEqualTo(2000);
        assertThat(fx(() -> tableTexts())).contains("a1", "healthy");
    }

    @Test
    @Order(2)
    void aModelDroppedOnTheWindowAndDraggedOntoTheAgentIsDeployedAndTheDagRecolours() throws Exception {
        dragged = Fixtures.blazefaceFront().toFile();
        robot.drag("#test-file-source").dropTo("#models-list");
        await(Duration.ofSeconds(30), () -> fx(() -> firstModel().map(m -> m.status() == ModelItem.Status.READY).orElse(false)),
                "the dropped model to be imported and analysed");
        ModelItem model = fx(() -> firstModel().orElseThrow());
        assertThat(Files.exists(dir.resolve("models").resolve(model.hash() + ".onnx"))).isTrue();
        await(Duration.ofSeconds(20), () -> fx(() -> !view.dagView().unitShapes().isEmpty()), "the DAG to be laid out");
        Color unplaced = Color.web(AgentColors.UNPLACED);
        assertThat(fx(() -> fills())).containsOnly(unplaced);

        dragOntoAgent(() -> fx(() -> robot.lookup("#models-list .list-cell").queryAll().stream()
                .filter(n -> n instanceof ListCell<?> c && c.getItem() == model).findFirst().orElseThrow()), "a1");

        await(Duration.ofSeconds(60), () -> brokerRow("a1").map(r -> r.models().contains(model.hash())).orElse(false),
                "a1's heartbeat to list the deployed model");
        await(Duration.ofSeconds(3), () -> fx(() -> deployments().stream().anyMatch(d -> d.state() == DeploymentItem.State.DONE)),
                "the deployment to show as done");
        Color a1 = Color.web(fx(() -> runtime.viewModel().agents().find("a1").color()));
        await(Duration.ofSeconds(3), () -> fx(() -> fills().equals(Set.of(a1))), "the DAG to take a1's colour");
        // the cell shows it from the next layout pulse on
        await(Duration.ofSeconds(3), () -> fx(() -> tableTexts()).stream().anyMatch(t -> t.contains(model.fileName())),
                "a1's Models cell to name the model");
    }

    @Test
    @Order(3)
    void selectingASliceSelectsItsAgentsRowAndChartsAndABlockExpandsOnDoubleClick() throws Exception {
        fx(() -> {
            runtime.viewModel().selection().agentProperty().set(null);
            return null;
        });
        // a block whose middle is on screen: the robot clicks screen coordinates
        javafx.geometry.Bounds viewport = fx(() -> robot.lookup(".dag-view .scroll-pane").query().localToScreen(
                robot.lookup(".dag-view .scroll-pane").query().getLayoutBounds()));
        Rectangle unit = fx(() -> view.dagView().unitShapes().stream().filter(r -> r.getStyleClass().contains("block"))
                .filter(r -> {
                    javafx.geometry.Bounds b = r.localToScreen(r.getLayoutBounds());
                    return viewport.contains(b.getCenterX(), b.getCenterY());
                }).findFirst().orElseThrow());
        robot.clickOn(unit);
        await(Duration.ofSeconds(2), () -> fx(() -> "a1".equals(runtime.viewModel().selection().agentProperty().get())),
                "the slice's agent to be selected");
        assertThat(fx(() -> ((AgentItem) robot.lookup("#agents-table").queryTableView().getSelectionModel().getSelectedItem()).name()))
                .isEqualTo("a1");
        assertThat(fx(() -> robot.lookup("#charts-list").queryListView().getSelectionModel().getSelectedItem()))
                .isSameAs(fx(() -> runtime.viewModel().charts().find("a1")));

        int before = fx(() -> view.dagView().unitShapes().size());
        // a double click as the scene delivers it; the robot's two clicks are not reliably one gesture on a loaded machine
        fx(() -> {
            javafx.geometry.Point2D c = unit.localToScene(unit.getX() + unit.getWidth() / 2, unit.getY() + unit.getHeight() / 2);
            javafx.event.Event.fireEvent(unit, new javafx.scene.input.MouseEvent(javafx.scene.input.MouseEvent.MOUSE_CLICKED, c.getX(), c.getY(),
                    0, 0, javafx.scene.input.MouseButton.PRIMARY, 2, false, false, false, false, true, false, false, true, false, true, null));
            return null;
        });
        await(Duration.ofSeconds(10), () -> fx(() -> view.dagView().unitShapes().size()) > before, "the block to expand into its nodes");
    }

    @Test
    @Order(4)
    void chartsReceivePoints() throws Exception {
        await(Duration.ofSeconds(10), () -> fx(() -> view.chartsView().plottedPoints("a1")) >= 8, "a1's charts to plot points");
        int before = fx(() -> runtime.viewModel().charts().find("a1").cpu().size());
        await(Duration.ofSeconds(5), () -> fx(() -> runtime.viewModel().charts().find("a1").cpu().size()) > before,
                "a new CPU point from a1's next heartbeat");
    }

    @Test
    @Order(5)
    void aSliceDraggedOntoAnAgentDeploysTheModelAsARouteWithThatSliceThereAndTheDagRecolours() throws Exception {
        await(Duration.ofSeconds(60), () -> rowNode("a2").isPresent()
                && fx(() -> runtime.viewModel().agents().find("a2").status() == AgentStatus.HEALTHY), "a2 to join; log " + agent2.log());
        ModelItem model = fx(() -> firstModel().orElseThrow());
        assertThat(broker.snapshot().routes()).isEmpty();
        fx(() -> {
            runtime.viewModel().models().selectedProperty().set(model);
            return runtime.viewModel().models().splitEvenly(model, 2);
        });
        await(Duration.ofSeconds(20), () -> fx(() -> sceneSlices() == 2 && !unitsOf(1).isEmpty()), "the DAG to show two slices");

        dragOntoAgent(() -> visibleUnitOf(1), "a2");

        await(Duration.ofSeconds(90), () -> route(model).map(r -> r.stages().size() == 2 && r.stages().get(1).agent().equals("a2"))
                .orElse(false), "the broker to publish the model's route with slice 2 on a2");
        Message.Route r = route(model).orElseThrow();
        assertThat(r.stages().get(0).agent()).as("slice 1 placed by the broker").isNotEmpty();
        assertThat(brokerRow("a2").orElseThrow().models()).contains(r.stages().get(1).sliceHash());
        await(Duration.ofSeconds(5), () -> fx(() -> deployments().stream().anyMatch(d -> d.what() instanceof io.edgeslice.console.models.ModelSlice
                && d.state() == DeploymentItem.State.DONE)), "the slice's deployment to show as done");
        Color a2 = Color.web(fx(() -> runtime.viewModel().agents().find("a2").color()));
        await(Duration.ofSeconds(3), () -> fx(() -> fillsOf(1).equals(Set.of(a2))), "slice 2 in the DAG to take a2's colour");
        Color first = Color.web(fx(() -> runtime.viewModel().colors().of(r.stages().get(0).agent())));
        assertThat(fx(() -> fillsOf(0))).containsOnly(first);
    }

    @Test
    @Order(6)
    void aSliceOfTheRouteDraggedOntoAnotherAgentMovesThereUnderANewEpoch() throws Exception {
        ModelItem model = fx(() -> firstModel().orElseThrow());
        Message.Route before = route(model).orElseThrow();
        String target = before.stages().get(0).agent().equals("a1") ? "a2" : "a1";
        await(Duration.ofSeconds(5), () -> fx(() -> !unitsOf(0).isEmpty()), "slice 1's units");

        dragOntoAgent(() -> visibleUnitOf(0), target);

        await(Duration.ofSeconds(90), () -> route(model).map(r -> r.epoch() > before.epoch() && r.stages().get(0).agent().equals(target))
                .orElse(false), "the route's slice 1 to move to " + target + " under a new epoch");
        Message.Route after = route(model).orElseThrow();
        assertThat(after.stages().get(1)).isEqualTo(before.stages().get(1));
        await(Duration.ofSeconds(5), () -> brokerRow(target).map(x -> x.models().contains(after.stages().get(0).sliceHash())).orElse(false),
                target + "'s heartbeat to list slice 1");
        Color c = Color.web(fx(() -> runtime.viewModel().agents().find(target).color()));
        await(Duration.ofSeconds(3), () -> fx(() -> fillsOf(0).equals(Set.of(c))), "slice 1 in the DAG to take " + target + "'s colour");
    }

    @Test
    @Order(7)
    void autoPlanMeasuresOnTheAgentsShowsThePlanBesideTheCurrentRouteAndApplyDeploysExactlyThePlan() throws Exception {
        ModelItem model = fx(() -> firstModel().orElseThrow());
        Message.Route before = route(model).orElseThrow();
        robot.clickOn("#auto-plan");
        await(Duration.ofSeconds(180), () -> fx(() -> runtime.viewModel().plan().stateProperty().get()
                        == io.edgeslice.console.plan.PlanViewModel.State.PLANNED),
                "the plan; status: " + fx(() -> runtime.viewModel().plan().statusProperty().get()));
        io.edgeslice.console.plan.PlanViewModel.Result result = fx(() -> runtime.viewModel().plan().resultProperty().get());
        io.edgeslice.slicer.Plan plan = result.plan();
        // the agents profiled the model themselves and every link was timed: client<->a1, client<->a2, a1<->a2
        assertThat(result.planned().measured().profiles()).extracting(io.edgeslice.client.AgentProfile::agent)
                .containsExactlyInAnyOrder("a1", "a2");
        assertThat(result.planned().profiles().values()).allSatisfy(p -> assertThat(p.wholeMs()).isPositive());
        assertThat(result.planned().profiles()).allSatisfy((name, p) -> assertThat(p.device()).isEqualTo(name));
        assertThat(result.planned().measured().links()).hasSize(6)
                .allSatisfy(l -> assertThat(l.mbps()).isPositive())
                .anySatisfy(l -> assertThat(l.from() + ">" + l.to()).isEqualTo("a1>a2"));
        assertThat(plan.placement()).isNotEmpty().allSatisfy(a -> assertThat(a).isIn("a1", "a2"));
        String planned = fx(() -> robot.lookup("#plan-planned").queryLabeled().getText());
        String current = fx(() -> robot.lookup("#plan-current").queryLabeled().getText());
        assertThat(planned).contains("on " + plan.placement().get(0)).contains("predicted latency");
        assertThat(current).contains("slice 2 [" + before.stages().get(1).start() + "–").contains("predicted latency");
        assertThat(fx(() -> robot.lookup("#plan-links").queryLabeled().getText())).contains("client→a1").contains("a1→a2")
                .contains("Mbit/s");
        assertThat(fx(() -> robot.lookup("#plan-profiles").queryLabeled().getText())).contains("a1 ").contains("a2 ");
        assertThat(fx(() -> robot.lookup("#plan-assumptions").queryLabeled().getText())).contains("own hardware")
                .contains("timed").contains(result.planned().transportReason());
        assertThat(route(model).orElseThrow()).as("nothing is applied before Apply").isEqualTo(before);

        robot.clickOn("#apply-plan");
        await(Duration.ofSeconds(90), () -> fx(() -> runtime.viewModel().plan().stateProperty().get()
                        == io.edgeslice.console.plan.PlanViewModel.State.APPLIED),
                "the plan to be applied; status: " + fx(() -> runtime.viewModel().plan().statusProperty().get()));
        // the snapshot is published a few times a second: the new epoch follows the broker's answer shortly
        await(Duration.ofSeconds(3), () -> route(model).orElseThrow().epoch() > before.epoch(), "the applied route in the snapshot");
        Message.Route applied = route(model).orElseThrow();
        assertThat(applied.stages().stream().map(st -> st.start() + "-" + st.end() + "@" + st.agent()).toList())
                .isEqualTo(plan.stages().stream().map(st -> st.start() + "-" + st.end() + "@" + st.node()).toList());
        assertThat(applied.transport()).as("the transport the plan chose from the slowest measured hop").isEqualTo(result.transport());
        for (Message.Stage st : applied.stages()) {
            assertThat(brokerRow(st.agent()).orElseThrow().models()).contains(st.sliceHash());
        }
        await(Duration.ofSeconds(5), () -> fx(() -> robot.lookup("#plan-current").queryLabeled().getText()).equals(planned),
                "the current route to be predicted as the plan");
    }

    @Test
    @Order(8)
    void undeployWithdrawsTheModelsRouteFromTheBrokerAndTheAgents() throws Exception {
        ModelItem model = fx(() -> firstModel().orElseThrow());
        fx(() -> {
            runtime.viewModel().models().selectedProperty().set(model);
            return null;
        });
        Message.Route before = route(model).orElseThrow();
        await(Duration.ofSeconds(5), () -> fx(() -> !robot.lookup("#undeploy-model").queryButton().isDisabled()), "Undeploy to be enabled");

        robot.clickOn("#undeploy-model");

        await(Duration.ofSeconds(10), () -> route(model).isEmpty(), "the broker to withdraw the route");
        await(Duration.ofSeconds(5), () -> fx(() -> model.route() == null && robot.lookup("#undeploy-model").queryButton().isDisabled()),
                "the console to show the model without a route");
        assertThat(fx(() -> runtime.viewModel().events().all())).as("an event for the withdrawal")
                .anySatisfy(e -> assertThat(e.message()).contains("withdrawn at epoch " + (before.epoch() + 1)));
    }

    @Test
    @Order(9)
    void aDroppedFileThatIsNotOnnxGivesAClearErrorAndChangesNothing() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "shopping list");
        List<ModelItem> modelsBefore = fx(() -> List.copyOf(runtime.viewModel().models().models()));
        List<Path> storeBefore = listing(dir.resolve("models"));
        dragged = notes.toFile();

        robot.drag("#test-file-source").dropTo("#models-list");

        String expected = "notes.txt is not an ONNX model: expected a .onnx file";
        await(Duration.ofSeconds(5), () -> fx(() -> robot.lookup(".notification").queryAll().stream()
                .anyMatch(n -> ((Notification) n).getMessage().contains(expected))), "a notification naming the file");
        assertThat(fx(() -> runtime.viewModel().events().all())).anySatisfy(e -> {
            assertThat(e.kind()).isEqualTo("CONSOLE");
            assertThat(e.message()).isEqualTo(expected);
        });
        assertThat(fx(() -> List.copyOf(runtime.viewModel().models().models()))).isEqualTo(modelsBefore);
        assertThat(listing(dir.resolve("models"))).isEqualTo(storeBefore);
    }

    @Test
    @Order(10)
    void aKilledAgentTurnsLostWithinFourSeconds() throws Exception {
        agent.kill();
        long killed = System.nanoTime();
        await(Duration.ofSeconds(4), () -> fx(() -> rowNode("a1").map(r -> r.getPseudoClassStates().contains(LOST)).orElse(false)
                && runtime.viewModel().agents().find("a1").status() == AgentStatus.LOST), "a1's row to turn lost");
        long ms = (System.nanoTime() - killed) / 1_000_000;
        System.out.println("a1 killed -> row lost: " + ms + " ms");
        assertThat(ms).isLessThanOrEqualTo(4000);
        assertThat(fx(() -> runtime.viewModel().header().lostProperty().get())).isEqualTo(1);
    }

    @Test
    @Order(11)
    void aLostAgentIsABlockedDropTargetWhileDragging() throws Exception {
        Path other = Fixtures.sampleModel("jp.keijiro.mlsd/ONNX/mlsd_320x320_tiny.onnx");
        ModelItem model = fx(() -> runtime.viewModel().models().addModel(other, "")).get(30, TimeUnit.SECONDS);
        Node cell = fx(() -> robot.lookup("#models-list .list-cell").queryAll().stream()
                .filter(n -> n instanceof ListCell<?> c && c.getItem() == model).findFirst().orElseThrow());
        TableRow<?> row = rowNode("a1").orElseThrow();

        robot.drag(cell).moveTo(row);
        await(Duration.ofSeconds(3), () -> fx(() -> row.getPseudoClassStates().contains(PseudoClass.getPseudoClass("drop-bad"))),
                "the lost agent's row to show the drop as blocked");
        assertThat(fx(() -> robot.lookup("#drop-hint").queryLabeled().getText())).startsWith("Blocked: a1 is lost");
        robot.drop();

        WaitForAsyncUtils.waitForFxEvents();
        assertThat(fx(() -> deployments().stream().filter(d -> d.what().modelHash().equals(model.hash())).toList())).isEmpty();
        assertThat(fx(() -> row.getPseudoClassStates().contains(PseudoClass.getPseudoClass("drop-bad")))).isFalse();
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Optional<Message.AgentRow> brokerRow(String name) {
        return broker.snapshot().agents().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** The visible table row of an agent (FX thread or not: reads only). */
    private Optional<TableRow<?>> rowNode(String name) {
        return robot.lookup("#agents-table .table-row-cell").queryAll().stream().<TableRow<?>>map(n -> (TableRow<?>) n)
                .filter(r -> r.getItem() instanceof AgentItem a && a.name().equals(name)).findFirst();
    }

    private List<String> tableTexts() {
        return robot.lookup("#agents-table .table-cell").queryAll().stream().map(n -> ((javafx.scene.control.Labeled) n).getText())
                .filter(t -> t != null).toList();
    }

    private Optional<ModelItem> firstModel() {
        return runtime.viewModel().models().models().stream().findFirst();
    }

    private List<DeploymentItem> deployments() {
        return List.copyOf(runtime.viewModel().deployments().deployments());
    }

    private Set<Color> fills() {
        return view.dagView().unitShapes().stream().map(Rectangle::getFill).map(Color.class::cast).collect(Collectors.toSet());
    }

    private Optional<Message.Route> route(ModelItem model) {
        return broker.snapshot().routes().stream().filter(r -> r.modelHash().equals(model.hash())).findFirst();
    }

    private int sceneSlices() {
        var scene = runtime.viewModel().dag().sceneProperty().get();
        return scene == null ? 0 : scene.dag().slices().size();
    }

    /** The drawn units of a slice; FX thread. */
    private List<Rectangle> unitsOf(int slice) {
        var scene = runtime.viewModel().dag().sceneProperty().get();
        return view.dagView().unitShapes().stream().filter(r -> scene.dag().unit((String) r.getUserData()).slice() == slice).toList();
    }

    private Set<Color> fillsOf(int slice) {
        return unitsOf(slice).stream().map(Rectangle::getFill).map(Color.class::cast).collect(Collectors.toSet());
    }

    /** A unit of the slice whose middle is on screen (scrolled into view if need be): the robot presses screen coordinates. */
    private Rectangle visibleUnitOf(int slice) throws Exception {
        Optional<Rectangle> shown = fx(() -> onScreenUnitOf(slice));
        if (shown.isPresent()) {
            return shown.get();
        }
        fx(() -> {
            javafx.scene.control.ScrollPane sp = (javafx.scene.control.ScrollPane) robot.lookup(".dag-view .scroll-pane").query();
            Rectangle r = unitsOf(slice).get(0);
            javafx.geometry.Bounds in = sp.getContent().sceneToLocal(r.localToScene(r.getLayoutBounds()));
            javafx.geometry.Bounds content = sp.getContent().getLayoutBounds();
            javafx.geometry.Bounds vp = sp.getViewportBounds();
            sp.setHvalue(clamp((in.getCenterX() - vp.getWidth() / 2) / Math.max(1, content.getWidth() - vp.getWidth())));
            sp.setVvalue(clamp((in.getCenterY() - vp.getHeight() / 2) / Math.max(1, content.getHeight() - vp.getHeight())));
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        return fx(() -> onScreenUnitOf(slice)).orElseThrow(() -> new AssertionError("no unit of slice " + (slice + 1) + " is on screen"));
    }

    private Optional<Rectangle> onScreenUnitOf(int slice) {
        Node pane = robot.lookup(".dag-view .scroll-pane").query();
        javafx.geometry.Bounds viewport = pane.localToScreen(pane.getLayoutBounds());
        return unitsOf(slice).stream().filter(r -> {
            javafx.geometry.Bounds b = r.localToScreen(r.getLayoutBounds());
            return viewport.contains(b.getCenterX(), b.getCenterY());
        }).findFirst();
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    private static List<Path> listing(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    /**
     * Drags {@code source} onto {@code agent}'s row once the agent is healthy in the table, and checks
     * that a deployment to it started. The robot's press-move-release is timing-sensitive on a loaded
     * machine (Monocle may miss the drag gesture), so a drag that started nothing is made once more,
     * after saying what the console showed.
     */
    private void dragOntoAgent(Callable<Node> source, String agent) throws Exception {
        await(Duration.ofSeconds(60), () -> rowNode(agent).isPresent()
                && fx(() -> runtime.viewModel().agents().find(agent).status() == AgentStatus.HEALTHY), agent + " to be healthy in the table");
        for (int attempt = 1; ; attempt++) {
            long before = fx(() -> deployments().stream().filter(d -> d.agent().equals(agent)).count());
            robot.drag(source.call()).dropTo(rowNode(agent).orElseThrow());
            try {
                await(Duration.ofSeconds(10), () -> fx(() -> deployments().stream().filter(d -> d.agent().equals(agent)).count() > before),
                        "a deployment to " + agent + " to start after the drop");
                return;
            } catch (AssertionError e) {
                if (attempt == 2) {
                    throw e;
                }
                System.out.println("drag " + attempt + " onto " + agent + " started nothing; " + consoleState());
            }
        }
    }

    /** What the console shows that explains a wait that timed out. */
    private String consoleState() throws Exception {
        return fx(() -> "hint: " + robot.lookup("#drop-hint").queryLabeled().getText()
                + "; agents: " + runtime.viewModel().agents().rows().stream().map(a -> a.name() + " " + a.status()).toList()
                + "; deployments: " + deployments().stream().map(d -> d.what().label() + " to " + d.agent() + " " + d.state()
                        + (d.messageProperty().get() == null ? "" : " (" + d.messageProperty().get() + ")")).toList()
                + "; last events: " + runtime.viewModel().events().all().stream().skip(Math.max(0, runtime.viewModel().events().all().size() - 8))
                        .map(e -> e.severity() + " " + e.message()).toList());
    }

    private void await(Duration timeout, Callable<Boolean> condition, String what) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what + "; " + consoleState());
            }
            Thread.sleep(25);
        }
    }
}
