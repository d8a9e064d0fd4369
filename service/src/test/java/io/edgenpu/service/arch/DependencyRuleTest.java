package io.edgenpu.service.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one dependency rule of docs/architecture.md ("Modules"): {@code scheduler} and {@code
 * npu-emulator} are plain Java (no Spring, Reactor, gRPC or ONNX Runtime), and the scheduler does
 * not depend on the emulator.
 */
class DependencyRuleTest {
  private static JavaClasses scheduler;
  private static JavaClasses emulator;
  private static JavaClasses repository;

  @BeforeAll
  static void importClasses() {
    ClassFileImporter importer =
        new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
    scheduler = importer.importPackages("io.edgenpu.scheduler");
    emulator = importer.importPackages("io.edgenpu.npu");
    repository = importer.importPackages("io.edgenpu.repository");
  }

  private static final String[] FRAMEWORKS = {
    "org.springframework..", "reactor..", "io.grpc..", "ai.onnxruntime..", "io.netty.."
  };

  @Test
  void schedulerIsFrameworkFree() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS).check(scheduler);
  }

  @Test
  void emulatorIsFrameworkFree() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS).check(emulator);
  }

  @Test
  void repositoryFormatIsFrameworkFree() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS).check(repository);
  }

  @Test
  void schedulerDoesNotDependOnTheEmulator() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.edgenpu.npu..")
        .check(scheduler);
  }

  @Test
  void coreModulesDoNotDependOnTheService() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.edgenpu.service..")
        .check(scheduler);
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.edgenpu.service..")
        .check(emulator);
  }
}
