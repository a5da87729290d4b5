# Sourced by bin/emerald and bin/test: exports JAVA_HOME pointing at a JDK >= 25.
# Order: $JAVA_HOME if it is new enough, then the newest /usr/lib/jvm/* that is.
emerald_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n 1
}
emerald_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate=${candidate%/}
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(emerald_java_major "$candidate")
    if [ -n "$major" ] && [ "${major%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      # Maven's own libraries call sun.misc.Unsafe, which JDK 24+ warns about on every build
      export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
      return 0
    fi
  done
  echo "emerald: no JDK 25 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm/*); install one, e.g. 'apt-get install openjdk-25-jdk', or set JAVA_HOME" >&2
  return 1
}
