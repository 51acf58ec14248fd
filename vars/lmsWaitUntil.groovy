/**
 * waitUntil whose polls stay about a second apart however long the wait: Jenkins' own waitUntil backs off 1.2 times per
 * poll up to 15 s, so a stage following a 90 s step of the engine noticed its end up to 15 s late on a real controller
 * (#35). Each slice of the wait is a fresh waitUntil, its backoff started again. See lmsWaitUntil.txt.
 */
def call(Map userConfig = [:], Closure condition) {
  Map config = lmsConfig('lmsWaitUntil', [sliceMillis: 5000, firstPollMillis: 250], userConfig, [])
  long slice = config.sliceMillis as long
  if (slice < 250) error("lmsWaitUntil: sliceMillis must be at least 250 (got ${slice}); allowed: a number of milliseconds, e.g. 5000")
  while (true) {
    long begun = System.currentTimeMillis()
    try {
      timeout(time: slice, unit: 'MILLISECONDS') {
        waitUntil(initialRecurrencePeriod: config.firstPollMillis as long, quiet: true) { return condition() }
      }
      return
    } catch (e) {
      // this slice ran out (its own time has passed): the next begins; anything else (an abort, an outer timeout) goes on up
      if (lmsRollbackGate.interruption(e) != 'timeout' || System.currentTimeMillis() - begun < slice - 100) throw e
    }
  }
}
