/**
 * waitUntil whose looks stay about a second apart however long the wait: Jenkins' own waitUntil backs off 1.2 times per
 * look up to 15 s, so a stage following a 90 s step of the engine noticed its end up to 15 s late on a real controller
 * (#35). The wait runs as slices, each a fresh waitUntil (its backoff started again) that its own condition ends when the
 * slice's time is up — no timeout step: on a controller a timeout's cancel of a sleeping waitUntil was ignored for up to
 * its 60 s grace, and every slice said "Cancelling nested steps due to timeout" in the console. See lmsWaitUntil.txt.
 */
def call(Map userConfig = [:], Closure condition) {
  Map config = lmsConfig('lmsWaitUntil', [sliceMillis: 5000, firstPollMillis: 250], userConfig, [])
  long slice = config.sliceMillis as long
  if (slice < 250) error("lmsWaitUntil: sliceMillis must be at least 250 (got ${slice}); allowed: a number of milliseconds, e.g. 5000")
  boolean held = false
  while (!held) {
    long sliceEnd = System.currentTimeMillis() + slice
    waitUntil(initialRecurrencePeriod: config.firstPollMillis as long, quiet: true) {
      held = condition() as boolean
      return held || System.currentTimeMillis() >= sliceEnd
    }
  }
}
