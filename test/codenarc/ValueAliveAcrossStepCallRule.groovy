import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.MethodNode
import org.codehaus.groovy.ast.expr.BinaryExpression
import org.codehaus.groovy.ast.expr.ConstructorCallExpression
import org.codehaus.groovy.ast.expr.DeclarationExpression
import org.codehaus.groovy.ast.expr.Expression
import org.codehaus.groovy.ast.expr.MethodCallExpression
import org.codehaus.groovy.ast.expr.VariableExpression
import org.codehaus.groovy.ast.CodeVisitorSupport
import org.codenarc.rule.AbstractAstVisitor
import org.codenarc.rule.AbstractAstVisitorRule

/**
 * A value the controller cannot save, alive on the CPS stack while a step runs. Jenkins (default durability) saves the
 * whole CPS program at every step call, so in CPS code (a method without @NonCPS):
 * - `new X(…).m(… step(…) …)` keeps the new X in the continuation while the step inside its arguments runs — the
 *   shape that failed every rollback build on a real controller: `new JsonSlurperClassic().parseText(readFile(f))`;
 * - a local variable holding a parser or a regex matcher (JsonSlurper, JsonSlurperClassic, Matcher, `=~`) is saved
 *   with the program at the next step call.
 * Work on such values belongs in a @NonCPS method that takes and returns plain Strings, Maps and Lists.
 */
class ValueAliveAcrossStepCallRule extends AbstractAstVisitorRule {
  String name = 'ValueAliveAcrossStepCall'
  int priority = 1
  Class astVisitorClass = ValueAliveAcrossStepCallVisitor
}

class ValueAliveAcrossStepCallVisitor extends AbstractAstVisitor {
  static final List<String> UNSAVABLE = ['JsonSlurper', 'JsonSlurperClassic', 'Matcher']

  private boolean cps = true

  @Override
  protected void visitMethodEx(MethodNode node) {
    cps = !node.annotations.any { it.classNode.name.endsWith('NonCPS') }
    super.visitMethodEx(node)
  }

  @Override
  void visitMethodCallExpression(MethodCallExpression call) {
    if (cps && isNotSavable(call.objectExpression) && callsAMethodOfTheScript(call.arguments)) {
      addViolation(call, "new ${simple(call.objectExpression.type)}(…).${call.methodAsString}(…) keeps the ${simple(call.objectExpression.type)} on "
          + "the CPS stack while the call in its arguments runs; a controller saving the program there fails (NotSerializableException): "
          + 'do the work in a @NonCPS method that returns plain values')
    }
    super.visitMethodCallExpression(call)
  }

  @Override
  void visitDeclarationExpression(DeclarationExpression d) {
    Expression right = d.rightExpression
    boolean matcher = right instanceof BinaryExpression && right.operation.text == '=~'
    if (cps && (matcher || right instanceof ConstructorCallExpression && UNSAVABLE.contains(simple(right.type))
        || UNSAVABLE.contains(simple(d.leftExpression.type)))) {
      addViolation(d, "${d.leftExpression.text} holds a ${matcher ? 'Matcher' : simple(right.type ?: d.leftExpression.type)} in CPS code: saved with "
          + 'the program at the next step call, it fails the build (NotSerializableException): move this into a @NonCPS method')
    }
    super.visitDeclarationExpression(d)
  }

  private static boolean isNotSavable(Expression e) {
    return e instanceof ConstructorCallExpression
  }

  /** Whether the expression calls a method of the script itself (a step, or a CPS method): `readFile(f)`, `this.x()`. */
  private static boolean callsAMethodOfTheScript(Expression args) {
    boolean found = false
    args.visit(new CodeVisitorSupport() {
      @Override
      void visitMethodCallExpression(MethodCallExpression m) {
        if (m.implicitThis || m.objectExpression instanceof VariableExpression && m.objectExpression.name == 'this') found = true
        super.visitMethodCallExpression(m)
      }
    })
    return found
  }

  private static String simple(ClassNode type) {
    return type == null ? '?' : type.nameWithoutPackage
  }
}
