package io.edgeslice.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps the layers honest: libraries print nothing and know nothing of the UI or the CLI. */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.edgeslice");
    }

    @Test
    void onlyTheConsoleUsesJavaFx() {
        noClasses().that().resideOutsideOfPackage("io.edgeslice.console..").should().dependOnClassesThat().resideInAPackage("javafx..")
                .check(classes);
    }

    @Test
    void onlyTheCommandLinePrintsToTheConsole() {
        noClasses().that().resideOutsideOfPackage("io.edgeslice.cli..").should().accessField(System.class, "out").check(classes);
    }

    @Test
    void librariesDoNotDependOnTheCommandLine() {
        noClasses().that().resideOutsideOfPackage("io.edgeslice.cli..").should().dependOnClassesThat().resideInAPackage("io.edgeslice.cli..")
                .check(classes);
    }

    @Test
    void theProtocolDependsOnNoOtherModule() {
        noClasses().that().resideInAPackage("io.edgeslice.protocol..").should().dependOnClassesThat()
                .resideInAnyPackage("io.edgeslice.broker..", "io.edgeslice.agent..", "io.edgeslice.client..", "io.edgeslice.slicer..")
                .check(classes);
    }
}
