package io.edgeslice.console;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MVVM kept honest: view-models hold state and commands, never scene-graph nodes; one path to the FX thread. */
class ConsoleArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.edgeslice.console");
    }

    @Test
    void viewModelsHoldNoJavaFxNodes() {
        noClasses().that().haveSimpleNameEndingWith("ViewModel").or().haveSimpleNameEndingWith("Item")
                .or().haveSimpleNameEndingWith("Series").or().haveSimpleName("SliceDag").or().haveSimpleName("DagLayout")
                .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "javafx.stage..")
                .check(classes);
    }

    @Test
    void onlyTheDispatcherPostsToTheFxThread() {
        noClasses().that().doNotHaveSimpleName("UiDispatcher").should().callMethod(javafx.application.Platform.class, "runLater", Runnable.class)
                .check(classes);
    }
}
