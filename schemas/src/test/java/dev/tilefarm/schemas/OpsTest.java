package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * An op's {@link ImageOp#name()} (its record's name in kebab case) is the name {@link Ops} registers it under:
 * what a job says, a report and a metric tag say back.
 */
class OpsTest {
  @TestFactory
  Stream<DynamicTest> everyRegisteredOpParsesToAnOpOfThatName() {
    return Ops.specs().stream().map(spec -> dynamicTest(spec.name(), () -> {
      ObjectNode node = JsonNodeFactory.instance.objectNode().put("op", spec.name());
      for (Ops.Param param : spec.params()) {
        // the required parameters only, at their smallest; resize then takes width and height, not factor
        switch (param) {
          case Ops.Param.Int i when i.fallback() == null ->
              node.put(i.name(), i.only().isEmpty() ? i.min() : i.only().get(0));
          case Ops.Param.Num n when n.fallback() == null && !n.name().equals("factor") -> node.put(n.name(), n.min());
          case Ops.Param.Choice c when c.fallback() == null -> node.put(c.name(), c.values().get(0));
          default -> { }
        }
      }
      assertEquals(spec.name(), Ops.parse(node, "ops[0]").name());
    }));
  }
}
