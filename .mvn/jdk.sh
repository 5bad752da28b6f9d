# Finds a JDK 21 or newer for the build and the tilefarm command; sourced (POSIX sh) by mvnw, tilefarm and .ci/run.
# Order: JAVA_HOME if it is 21 or newer, then the java on PATH, then the usual install places. Exports JAVA_HOME
# and returns 0, or prints why and returns 1.
tilefarm_jdk_feature() {
  # The feature release of the JDK at $1 (17, 21, 25...), or nothing if $1 holds no JDK with javac.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

tilefarm_find_jdk() {
  tilefarm_tried=""
  case $- in *f*) set +f; tilefarm_noglob=1 ;; *) tilefarm_noglob="" ;; esac
  if [ -n "${JAVA_HOME-}" ]; then
    v="$(tilefarm_jdk_feature "$JAVA_HOME")"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then TILEFARM_JDK_FEATURE="$v"; export JAVA_HOME; [ -z "$tilefarm_noglob" ] || set -f; return 0; fi
    tilefarm_tried="$tilefarm_tried
  JAVA_HOME=$JAVA_HOME (${v:-no JDK there})"
  fi
  for candidate in \
      "$(command -v javac >/dev/null 2>&1 && dirname "$(dirname "$(readlink -f "$(command -v javac)")")")" \
      /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$candidate" ] && [ -d "$candidate" ] || continue
    v="$(tilefarm_jdk_feature "$candidate")"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then
      JAVA_HOME="$candidate"; TILEFARM_JDK_FEATURE="$v"; export JAVA_HOME; [ -z "$tilefarm_noglob" ] || set -f; return 0
    fi
    [ -n "$v" ] && tilefarm_tried="$tilefarm_tried
  $candidate (JDK $v)"
  done
  [ -z "$tilefarm_noglob" ] || set -f
  echo "tilefarm needs a JDK 21 or newer and found none.${tilefarm_tried:+ Looked at:$tilefarm_tried}" >&2
  echo "Install one (for example Temurin 21 or 25 under /usr/lib/jvm) or set JAVA_HOME to it." >&2
  return 1
}

tilefarm_quiet_jvm_options() {
  # JDK 24 and newer warn on every start about sun.misc.Unsafe memory access by libraries (Maven's Guice, Kafka's
  # and Netty's dependencies); the option that allows it quietly does not exist before 23, so add it only there.
  if [ "${TILEFARM_JDK_FEATURE:-0}" -ge 23 ]; then printf '%s' "--sun-misc-unsafe-memory-access=allow"; fi
}
