package lms.rollback.pipeline

import groovy.json.JsonSlurperClassic
import java.nio.file.Files
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.TimeUnit
import lms.rollback.testing.HttpReceiver
import lms.rollback.testing.PostgresServer
import lms.rollback.testing.Tool
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertFalse
import static org.junit.jupiter.api.Assertions.assertTrue

/**
 * Scenario D from the one-click job (#22): the Jenkinsfile's steps' scripts run for real under /bin/sh -xe, the real
 * lmsctl restores a real pg_dump of last night's database into a real PostgreSQL behind the maintenance page of
 * `lmsctl sandbox --serve`, after the Release Commander's decision, the DBA's and the Release Commander's two-person
 * authorization — each at its own input. The build ends with the
 * data back, production on Blue, maintenance off and Green stopped.
 */
class JenkinsfileScenarioDTest extends LmsPipelineTest {

  static Process sandbox
  static File sandboxDir
  static HttpReceiver warRoom
  static PostgresServer postgres
  List causes = []

  @BeforeAll
  static void startTheSandboxAndTheDatabase() {
    if (!Tool.POSTGRESQL_AND_ALEMBIC.present()) return // the test says why it is skipped
    postgres = PostgresServer.start()
    sandboxDir = Files.createTempDirectory('lms-e2e-d').toFile()
    warRoom = new HttpReceiver()
    sandbox = JenkinsfileEndToEndTest.serve(sandboxDir)
  }

  @AfterAll
  static void stopThem() {
    sandbox?.destroy()
    sandbox?.waitFor(30, TimeUnit.SECONDS)
    warRoom?.close()
    postgres?.close()
    sandboxDir?.deleteDir()
  }

  String url
  File dump

  @BeforeEach
  void lastNightsBackupAndADatabaseGreenWrecked() {
    Tool.POSTGRESQL_AND_ALEMBIC.require()
    url = postgres.lmsAtHead()
    dump = PostgresServer.dump(url, new File(scratch, 'lms-nightly.dump').toPath()).toFile()
    PostgresServer.sql(url, 'DELETE FROM leave_requests', 'UPDATE leave_balances SET days_remaining = -99')
    JenkinsfileHarness.register(helper, binding, causes)
    File real = new File(scratch, 'lmsctl')
    real.text = '#!/bin/sh\nexec "$LMS_E2E_JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$LMS_E2E_CLASSPATH" lms.rollback.cli.Lmsctl "$@"\n'
    Files.setPosixFilePermissions(real.toPath(), PosixFilePermissions.fromString('rwxr-xr-x'))
    env().putAll([LMSCTL: real.path, LMS_E2E_JAVA: JenkinsfileEndToEndTest.java(), LMS_E2E_CLASSPATH: System.getProperty('java.class.path'),
                  PATH: System.getenv('PATH'), HOME: System.getenv('HOME') ?: scratch.path,
                  BUILD_URL: 'https://jenkins.example.com/job/Rollback/41/'])
    secrets.putAll(['lms-kubeconfig': new File(sandboxDir, 'sandbox-kubeconfig.yaml').path, 'lms-smoke-user': 'smoke', 'lms-smoke-password': 'smoke',
                    'lms-smoke-token': 'sandbox-token', 'lms-war-room-webhook': warRoom.url(), 'lms-status-page-webhook': warRoom.url(),
                    'lms-database-url': url])
    hudson.model.User.groups = ['rc.jones': ['authenticated', 'lms-release-commanders'], 'dba.lee': ['authenticated', 'lms-dbas']]
    causes << [_class: 'hudson.model.Cause$UserIdCause', userId: 'dev.smith']
  }

  @AfterEach
  void noGroups() {
    hudson.model.User.groups = [:]
  }

  List<Map> journal(int build) {
    new File(workspace, "lms-rollback/build-${build}/journal.jsonl").readLines().collect { new JsonSlurperClassic().parseText(it) as Map }
  }

  @Test
  void scenarioDFromTheJobRestoresTheDumpBehindTheMaintenancePageAndEndsOnBlue() {
    // the Release Commander decides; the DBA and the Release Commander authorize the restore
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'balances corrupted since 02:10, restore last night']
    inputAnswers << [APPROVER: 'dba.lee', REASON: 'backup of 01:00 checked, restore it']
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'agreed, restore from the backup']

    binding.setVariable('params', [ENVIRONMENT: 'production', SCENARIO: 'D', TRIGGER: 'MAN-004', REASON: 'leave balances corrupted by the release',
                                   BACKUP: dump.path, PLAN: new File(sandboxDir, 'sandbox-plan.yaml').path, VERIFY_WINDOW: '6s', DRY_RUN: false])
    runScript('Jenkinsfile')
    Map build = binding.getVariable('currentBuild') as Map

    assertTrue(build.description.startsWith('D · MAN-004 · production · SUCCESS'), "${build.description}\n${console.join('\n')}")
    assertEquals('2', PostgresServer.query(url, 'SELECT count(*) FROM leave_requests'), 'the requests are back from the dump')
    assertEquals('0', PostgresServer.query(url, 'SELECT count(*) FROM leave_balances WHERE days_remaining < 0'))
    List<Map> run = journal(41)
    List<String> types = run*.type
    assertTrue(types.indexOf('maintenance.on') < types.indexOf('database.restore.start'), 'the restore ran behind the maintenance page')
    assertTrue(types.indexOf('database.restored') < types.lastIndexOf('maintenance.off'), types.toString())
    assertFalse(run.any { it.type == 'step.redo' && it.data.action == 'maintenance-on' }, 'no stage put the maintenance page back')
    Map approvals = run.find { it.type == 'scenario.decided' }.data.gate as Map
    assertEquals(['rc.jones', 'dba.lee/db', 'rc.jones/db'], approvals.approvals.collect { it.by + (it.database ? '/db' : '') })
    assertEquals(['LmsGate0', 'LmsDatabaseGate', 'LmsDatabaseGate'], inputs*.id*.toString())
    assertTrue(warRoom.bodies.any { it.contains('ROLLBACK COMPLETE') }, warRoom.bodies.toString())
    String report = new File(workspace, 'lms-rollback/build-41/rollback-report.md').text
    assertTrue(report.contains('Emergency Restore') && report.contains('restored lms-nightly.dump'), report)
  }
}
