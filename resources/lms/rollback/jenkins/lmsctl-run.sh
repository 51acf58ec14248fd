# How the Jenkins steps run lmsctl (vars/lmsctlRun.groovy; also what bench/JenkinsWayBench runs).
# Jenkins runs this as /bin/sh -xe. Every argument arrives in its own environment variable
# (LMS_ARGC, LMS_ARG_0, LMS_ARG_1, ...): nothing a person typed is ever part of this text.
# Without `set +e` a failing lmsctl would end the script before its exit code is written.
set +e
mkdir -p "$LMS_OUT" || exit 70
# a file of an earlier call is never read again
rm -f "$LMS_STDOUT" "$LMS_STDERR" "$LMS_RC"
set --
i=0
while [ "$i" -lt "$LMS_ARGC" ]; do
  eval "set -- \"\$@\" \"\$LMS_ARG_$i\""
  i=$((i + 1))
done
# stderr (progress) reaches the console as it comes, and a file for the reason; stdout (data) a file
{ "${LMSCTL:-lmsctl}" "$@" 2>&1 1>"$LMS_STDOUT"; echo $? >"$LMS_RC"; } | tee "$LMS_STDERR"
if [ ! -s "$LMS_RC" ]; then echo "lmsctl left no exit code (killed?)" >&2; exit 1; fi
exit "$(cat "$LMS_RC")"
