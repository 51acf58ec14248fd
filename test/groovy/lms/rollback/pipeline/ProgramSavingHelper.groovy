package lms.rollback.pipeline

import com.cloudbees.groovy.cps.Continuation
import com.cloudbees.groovy.cps.Envs
import com.cloudbees.groovy.cps.Next
import com.cloudbees.groovy.cps.CpsTransformer
import com.cloudbees.groovy.cps.TransformerConfiguration
import com.cloudbees.groovy.cps.impl.CpsCallableInvocation
import com.lesfurets.jenkins.unit.cps.PipelineTestHelperCPS

/**
 * JenkinsPipelineUnit's CPS interpreter with the controller's program save: a real controller (default durability)
 * serializes the whole CPS program — every running thread's environment and continuation — each time the program
 * calls a step (CpsThreadGroup.saveProgram), so any value alive across a step call must be serializable.
 * JenkinsPipelineUnit 1.1 checks only the locals of closures passed to steps, and never at a step call in a method
 * body: `new JsonSlurperClassic().parseText(readFile(f))` passed there and failed every build on a controller.
 * Here the program runs one CPS step at a time, and before every registered step is called, the continuations of
 * every CPS execution in progress (outermost first) are written with Java serialization, as the controller does.
 */
class ProgramSavingHelper extends PipelineTestHelperCPS {

  /** The helper of the test running on this thread: the closures CPS code makes run their bodies through it. */
  static final ThreadLocal<ProgramSavingHelper> CURRENT = new ThreadLocal<>()

  /** The CPS executions in progress on each branch's thread, outermost first: the program the controller saves. */
  private final Map<Thread, List<Next>> running = new java.util.concurrent.ConcurrentHashMap<Thread, List<Next>>()
  /**
   * The controller runs all CPS code on one thread, and a step's own work (a process, a wait) beside it: the program
   * steps only while holding this lock, and lets go of it while a step runs, so `parallel` branches interleave as there.
   */
  final java.util.concurrent.locks.ReentrantLock cpsVm = new java.util.concurrent.locks.ReentrantLock()
  /** Branch threads a failFast parallel stopped: a step waiting there (input, waitUntil) ends with FlowInterruptedException. */
  final Set<Thread> cancelled = java.util.concurrent.ConcurrentHashMap.newKeySet()
  /** How many times the program was saved (one per step call made from CPS code). */
  int saves = 0

  @Override
  ProgramSavingHelper init() {
    super.init()
    CURRENT.set(this)
    // the library's closures behave as on a controller inside Groovy's collection methods (collect, find, each, …)
    gse.config.compilationCustomizers.findAll { it instanceof CpsTransformer }.each {
      ((CpsTransformer) it).setConfiguration(new TransformerConfiguration().withClosureType(ControllerClosure))
    }
    return this
  }

  /** Branches call steps side by side: the record of calls is appended to one at a time. */
  @Override
  protected void registerMethodCall(Object target, int stackDepth, String name, Object... args) {
    synchronized (callStack) {
      super.registerMethodCall(target, stackDepth, name, args)
    }
  }

  @Override
  def getMethodInterceptor() {
    Closure original = super.getMethodInterceptor()
    return { String name, Object[] args ->
      boolean step = getAllowedMethodEntry(name, args) != null
      if (!running.isEmpty() && step) saveProgram(name)
      Closure call = original.rehydrate(delegate, original.owner, original.thisObject)
      if (!step) return call(name, args)
      // the step's own work runs beside the program, as on a controller: other branches go on meanwhile
      int held = cpsVm.getHoldCount()
      for (int i = 0; i < held; i++) cpsVm.unlock()
      try {
        return call(name, args)
      } finally {
        for (int i = 0; i < held; i++) cpsVm.lock()
      }
    }
  }

  /** What CpsThreadGroup.saveProgram does before a step runs: the whole program, serialized; a value it cannot write fails the build. */
  void saveProgram(String step) {
    saves++
    ObjectOutputStream out = new StandInsAsPickles(new ByteArrayOutputStream())
    try {
      out.writeObject(running.values().collect { new ArrayList<Next>(it) })
    } catch (NotSerializableException e) {
      throw new IllegalStateException("the controller cannot save the program at step '${step}' (the default durability saves it at "
          + "every step call): java.io.NotSerializableException: ${e.message}", e)
    }
  }

  @Override
  protected Object callMethod(MetaMethod method, Object delegate, Object[] args) {
    try {
      return method.doMethodInvoke(delegate, args)
    } catch (CpsCallableInvocation e) {
      return stepThrough(e.invoke(null, null, Continuation.HALT))
    }
  }

  @Override
  protected Object runScriptInternal(Script script) {
    try {
      return script.run()
    } catch (CpsCallableInvocation e) {
      return stepThrough(e.invoke(null, null, Continuation.HALT))
    }
  }

  @Override
  Object callClosure(Closure closure, Object[] args = null) {
    try {
      if (!args) return closure.call()
      if (args.size() > closure.maximumNumberOfParameters) return closure.call(args)
      return closure.call(*args)
    } catch (CpsCallableInvocation e) {
      return stepThrough(e.invoke(Envs.empty(), null, Continuation.HALT))
    }
  }

  Object stepThrough(Next next) {
    cpsVm.lock()
    List<Next> thread = running.computeIfAbsent(Thread.currentThread()) { [] }
    thread << next
    int mine = thread.size() - 1
    try {
      while (next.yield == null) {
        thread[mine] = next
        next = next.step()
      }
      return next.yield.replay()
    } finally {
      thread.remove(mine)
      if (thread.isEmpty()) running.remove(Thread.currentThread())
      cpsVm.unlock()
    }
  }

  /**
   * Runs each branch on a thread of its own, as the controller runs parallel branches side by side, and returns each
   * branch's failure (null: none) by name once all have ended. With {@code failFast}, a failed branch interrupts the others.
   */
  Map<String, Throwable> runBranches(Map<String, Closure> branches, boolean failFast) {
    Map<String, Throwable> failures = new java.util.concurrent.ConcurrentHashMap<String, Throwable>()
    ProgramSavingHelper self = this
    int held = cpsVm.getHoldCount()
    List<Thread> threads = []
    threads.addAll(branches.collect { String name, Closure body ->
      Thread t = new Thread({
        CURRENT.set(self)
        try {
          self.callClosure(body)
        } catch (Throwable e) {
          failures[name] = e
          // as ParallelStep with failFast: the other branches are stopped (their waiting steps end with an interruption)
          if (failFast) threads.findAll { it != Thread.currentThread() }.each { cancelled.add(it) }
        }
      } as Runnable, "branch ${name}".toString())
      t.daemon = true
      return t
    })
    for (int i = 0; i < held; i++) cpsVm.unlock()
    try {
      threads*.start()
      threads*.join()
    } finally {
      for (int i = 0; i < held; i++) cpsVm.lock()
    }
    return failures
  }

  /**
   * The controller pickles what is its own (the run's `currentBuild`, the script's binding) instead of writing it;
   * here their stand-ins — maps holding the tests' closures — are written as a placeholder. Everything the library's
   * code holds is written as it is.
   */
  @groovy.transform.CompileStatic
  private static class StandInsAsPickles extends ObjectOutputStream {
    /** Where the stand-ins' closures are defined: the tests and JenkinsPipelineUnit, never the library. */
    static final List<String> STAND_INS = ['lms.rollback.pipeline.', 'com.lesfurets.']
    static final Set<String> ITERATORS = ['java.util.ArrayList$Itr', 'java.util.LinkedHashMap$LinkedKeyIterator', 'java.util.LinkedHashMap$LinkedValueIterator',
                                          'java.util.LinkedHashMap$LinkedEntryIterator'] as Set

    StandInsAsPickles(OutputStream out) {
      super(out)
      super.enableReplaceObject(true)
    }

    @Override
    protected Object replaceObject(Object obj) {
      if (obj instanceof Closure && STAND_INS.any { String p -> obj.getClass().getName().startsWith(p) }) return 'a stand-in of the controller'
      if (obj instanceof Binding) return 'the script binding (pickled by the controller)'
      // workflow-cps makes the iterators of a for-in loop over lists and linked maps serializable (IteratorHack)
      if (obj instanceof Iterator && ITERATORS.contains(obj.getClass().getName())) return 'an iterator the controller saves (IteratorHack)'
      return obj
    }
  }
}
