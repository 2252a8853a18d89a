# Turns plan-runs.sh's array into a GitLab child pipeline (JSON is YAML): one job per run, each in its own
# reports/<name>/ folder, kept as an artifact, its junit.xml as the job's test report (docs/ci.md).
# Input: the array; $load: extra `chaos run` options.
reduce .[] as $run ({};
  .[$run.name] = {
    image: "mcr.microsoft.com/dotnet/sdk:10.0",
    timeout: "12m",
    variables: {CHAOS_LOAD: $load, SCENARIO: $run.scenario, SEED: ($run.seed | tostring), DURATION: $run.duration},
    script: [
      "dotnet build Chaos.sln -c Release",
      "samples/ci/run-one.sh \"$SCENARIO\" \"$SEED\" \"$DURATION\""
    ],
    artifacts: {
      when: "always",
      paths: ["reports/\($run.name)/"],
      reports: {junit: "reports/\($run.name)/junit.xml"}
    }
  })
