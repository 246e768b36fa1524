package org.switchboard.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.PackageMatchers;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.switchboard.chat.boundary.BrokenBoundaryExample;
import org.switchboard.jobs.entity.BrokenEntityExample;
import org.switchboard.noticeboard.control.BrokenModuleExample;
import org.switchboard.ui.brokenexample.BrokenWebExample;

/**
 * The module boundaries as rules over the classes Maven built (every module's, the web module's and
 * the benchmarks' main classes). Each rule is also run on example classes that break it (in this
 * module's test sources, never shipped), so that a rule that can no longer fail is seen.
 *
 * <p>The benchmarks may use a driver themselves, for the raw baselines they print beside our figures
 * (Redis pub/sub, CouchDB's single-document writes); the modules they measure they reach through
 * boundaries only.
 */
class ModuleBoundariesTest {

    static final List<String> MODULES = List.of("chat", "jobs", "noticeboard", "ledger");
    /** Client libraries of the servers: they stay in a module's control package, or in the web module's platform package. */
    static final String[] DRIVERS = {"org.redisson..", "org.lightcouch..", "com.google.gson..", "io.netty..", "org.h2..", "org.postgresql.."};

    static JavaClasses product;

    @BeforeAll
    static void importBuiltClasses() {
        var folders = Stream.of("chat-module", "jobs-module", "noticeboard-module", "ledger-module", "ui-module", "benchmarks")
                .map(module -> Path.of("..", module, "target", "classes")).toList();
        assertThat(folders).as("every module is built before its rules are checked").allMatch(Files::isDirectory);
        product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPaths(folders);
        assertThat(product.stream().map(JavaClass::getPackageName).distinct())
                .contains("org.switchboard.ui.api", "org.switchboard.benchmarks", "org.switchboard.jobs.boundary", "org.switchboard.ledger.control");
    }

    /** No pattern module knows another, the web module or the benchmarks: each can be taken out alone. */
    static final ArchRule PATTERN_MODULES_ARE_INDEPENDENT = CompositeArchRule.of(MODULES.stream().map(module -> noClasses()
            .that().resideInAPackage("org.switchboard." + module + "..")
            .should().dependOnClassesThat().resideInAnyPackage(Stream.concat(
                    MODULES.stream().filter(other -> !other.equals(module)).map(other -> "org.switchboard." + other + ".."),
                    Stream.of("org.switchboard.ui..", "org.switchboard.benchmarks..")).toArray(String[]::new)))
            .map(ArchRule.class::cast).toList()).as("no pattern module depends on another, the web module or the benchmarks");

    /** A boundary's public methods and constructors take and answer boundary, entity and JDK types only. */
    static final ArchRule BOUNDARIES_EXPOSE_NO_CONTROL_OR_DRIVER_TYPE = codeUnits()
            .that().arePublic().and().areDeclaredInClassesThat().arePublic()
            .and().areDeclaredInClassesThat().resideInAPackage("org.switchboard.*.boundary..")
            .should(exposeNoTypeFrom(Stream.concat(Stream.of("org.switchboard.*.control.."), Arrays.stream(DRIVERS)).toArray(String[]::new)));

    static final ArchRule BOUNDARIES_AND_ENTITIES_USE_NO_DRIVER = noClasses()
            .that().resideInAnyPackage("org.switchboard.*.boundary..", "org.switchboard.*.entity..")
            .should().dependOnClassesThat().resideInAnyPackage(DRIVERS);

    static final ArchRule ENTITIES_DEPEND_ON_NOTHING_ELSE_OF_THEIR_MODULE = noClasses()
            .that().resideInAPackage("org.switchboard.*.entity..")
            .should().dependOnClassesThat().resideInAnyPackage("org.switchboard.*.boundary..", "org.switchboard.*.control..");

    /** The web module and the benchmarks come in through the boundaries, as any user of a module does. */
    static final ArchRule THE_WEB_MODULE_AND_THE_BENCHMARKS_USE_ONLY_BOUNDARIES = noClasses()
            .that().resideInAnyPackage("org.switchboard.ui..", "org.switchboard.benchmarks..")
            .should().dependOnClassesThat().resideInAPackage("org.switchboard.*.control..");

    /** In the web module, only the platform package (which makes the clients) knows a driver. */
    static final ArchRule THE_WEB_MODULE_USES_DRIVERS_ONLY_IN_ITS_PLATFORM = noClasses()
            .that().resideInAPackage("org.switchboard.ui..").and().resideOutsideOfPackage("org.switchboard.ui.platform..")
            .should().dependOnClassesThat().resideInAnyPackage(DRIVERS);

    static final List<ArchRule> RULES = List.of(PATTERN_MODULES_ARE_INDEPENDENT, BOUNDARIES_EXPOSE_NO_CONTROL_OR_DRIVER_TYPE,
            BOUNDARIES_AND_ENTITIES_USE_NO_DRIVER, ENTITIES_DEPEND_ON_NOTHING_ELSE_OF_THEIR_MODULE,
            THE_WEB_MODULE_AND_THE_BENCHMARKS_USE_ONLY_BOUNDARIES, THE_WEB_MODULE_USES_DRIVERS_ONLY_IN_ITS_PLATFORM);

    @Test
    void theBuiltClassesKeepEveryRule() {
        RULES.forEach(rule -> rule.check(product));
    }

    @Test
    void eachRuleFailsOnAClassThatBreaksIt() {
        var broken = new ClassFileImporter().importClasses(BrokenBoundaryExample.class, BrokenEntityExample.class,
                BrokenModuleExample.class, BrokenWebExample.class);
        for (var rule : RULES) {
            assertThat(rule.allowEmptyShould(true).evaluate(broken).hasViolation()).as(rule.getDescription()).isTrue();
        }
    }

    static ArchCondition<JavaCodeUnit> exposeNoTypeFrom(String... packages) {
        var matches = PackageMatchers.of(packages);
        return new ArchCondition<>("take and answer no type from " + String.join(", ", packages)) {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                var exposed = new LinkedHashSet<JavaClass>(unit.getReturnType().getAllInvolvedRawTypes());
                unit.getParameterTypes().forEach(type -> exposed.addAll(type.getAllInvolvedRawTypes()));
                exposed.stream().filter(type -> matches.test(type.getPackageName())).forEach(type ->
                        events.add(SimpleConditionEvent.violated(unit, unit.getFullName() + " exposes " + type.getName())));
            }
        };
    }
}
