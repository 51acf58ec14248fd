package org.jenkinsci.plugins.workflow.steps

/** Stand-in for TimeoutStepExecution$ExceededTimeout: the step matches on the name's ending. */
class TimeoutStepExecutionExceededTimeout implements Serializable {
}
