package lms.rollback.pipeline

import com.cloudbees.groovy.cps.Block
import com.cloudbees.groovy.cps.Continuation
import com.cloudbees.groovy.cps.Env
import com.cloudbees.groovy.cps.Envs
import com.cloudbees.groovy.cps.impl.CpsCallableInvocation
import com.lesfurets.jenkins.unit.cps.MockClosure

/**
 * A closure of the library's CPS code, called as a controller calls it. workflow-cps runs a CPS closure passed to
 * Groovy's collection methods (collect, find, findAll, each, any, every, sort, …) to its end for each element
 * (CpsDefaultGroovyMethods); groovy-cps 1.12, the one on Maven Central, instead lets the first call escape and
 * makes its value the value of the whole `list.findAll {…}`. Called from those methods, this closure runs its body
 * to the end through the helper (saving the program at every step call inside it); called by the interpreter or by
 * a step's stand-in, it behaves as groovy-cps does.
 */
class ControllerClosure extends MockClosure {

  ControllerClosure(Object owner, Object thisObject, List<String> parameters, Block body, Env capture) {
    super(owner, thisObject, parameters, body, capture)
  }

  @Override
  Object call() {
    try {
      return super.call()
    } catch (CpsCallableInvocation e) {
      return fromGroovyMethods() ? runToEnd(e) : rethrow(e)
    }
  }

  @Override
  Object call(Object... args) {
    try {
      return super.call(args)
    } catch (CpsCallableInvocation e) {
      return fromGroovyMethods() ? runToEnd(e) : rethrow(e)
    }
  }

  @Override
  Object call(Object argument) {
    try {
      return super.call(argument)
    } catch (CpsCallableInvocation e) {
      return fromGroovyMethods() ? runToEnd(e) : rethrow(e)
    }
  }

  private static Object rethrow(CpsCallableInvocation e) {
    throw e
  }

  private static Object runToEnd(CpsCallableInvocation e) {
    return ProgramSavingHelper.CURRENT.get().stepThrough(e.invoke(Envs.empty(), null, Continuation.HALT))
  }

  /** Whether the nearest caller that is not Groovy's dispatch is one of Groovy's collection methods (not the interpreter, not a stand-in). */
  private static boolean fromGroovyMethods() {
    for (StackTraceElement f : new Throwable().stackTrace) {
      String c = f.className
      if (c.startsWith('com.cloudbees.groovy.cps.') || c.startsWith('com.lesfurets.') || c.startsWith('lms.rollback.pipeline.Lms')
          || c.startsWith('lms.rollback.pipeline.ProgramSavingHelper') || c.startsWith('lms.rollback.pipeline.Jenkinsfile')) {
        return false
      }
      if (c.startsWith('org.codehaus.groovy.runtime.DefaultGroovyMethods') || c.startsWith('org.codehaus.groovy.runtime.dgm')
          || c.endsWith('BooleanClosureWrapper') || c.endsWith('BooleanReturningMethodInvoker') || c.startsWith('org.codehaus.groovy.runtime.ClosureComparator')
          || c.startsWith('groovy.util.OrderBy')) {
        return true
      }
    }
    return false
  }
}
