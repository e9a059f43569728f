using DaxHolder.Cli;
using DaxHolder.Scenarios.Fuzzing;
using DaxHolder.Scenarios.Generating;
using DaxHolder.Scenarios.Running;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Fuzzing;

/// <summary>Mutants of the shipped scenarios are refused with a located error or run; nothing else.</summary>
public sealed class FuzzerTests
{
    private static IReadOnlyList<(string File, string Text)> Shipped => FuzzSources.Find([ScenarioHarness.ScenariosDirectory]);

    [Fact]
    public void TwoThousandMutantsOfEveryShippedScenario_GiveNoFinding()
    {
        var fuzzer = new Fuzzer(ScenarioHarness.Plugins, ScenarioRunner.DefaultPluginDeadline);

        var summary = fuzzer.Run(Shipped, new FuzzOptions(Seed: 20240601, Count: 2000, TimeBound: TimeSpan.FromSeconds(10)));

        summary.Findings.Select(f => $"{f.Number} {f.Source} ({f.Mutation}) [{f.Cell}]: {f.Summary}").ShouldBeEmpty();
        summary.Mutants.ShouldBe(2000);
        summary.Ran.ShouldBeGreaterThan(200, "enough mutants get past the parser to exercise the kernel model");
        summary.Refused.ShouldBeGreaterThan(200, "enough mutants are malformed to exercise the parser");
    }

    [Fact]
    public void TheSameSeed_GivesTheSameMutants()
    {
        var text = File.ReadAllText(Path.Combine(ScenarioHarness.ScenariosDirectory, "demo.yaml"));
        string[] Mutants(ulong seed)
        {
            var mutator = new ScenarioMutator(new SplitMix64(seed));
            return [.. Enumerable.Range(0, 200).Select(_ => mutator.Mutate(text).Text)];
        }

        Mutants(5).ShouldBe(Mutants(5));
        Mutants(5).ShouldNotBe(Mutants(6));
        Mutants(5).Count(m => m != text).ShouldBeGreaterThan(150, "almost every mutant differs from its source");
    }

    [Fact]
    public void AMutantOverTheMemoryBound_IsAFinding_SavedAsYamlAndText()
    {
        var folder = Path.Combine(Path.GetTempPath(), "daxholder-fuzz-" + Guid.NewGuid().ToString("N"));
        try
        {
            var source = Path.Combine(ScenarioHarness.ScenariosDirectory, "demo.yaml");
            var summary = Fuzz([(source, File.ReadAllText(source))], new FuzzOptions(1, 1, TimeSpan.FromSeconds(10), MemoryBound: 0), f => FuzzFindings.Save(folder, f));

            var finding = summary.Findings.ShouldHaveSingleItem();
            finding.Summary.ShouldContain("past the memory bound of 0 MiB");
            File.ReadAllText(Path.Combine(folder, "000000-demo.txt")).ShouldContain($"source: {source}");
            File.ReadAllText(Path.Combine(folder, "000000-demo.yaml")).ShouldBe(finding.Yaml);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void AMutantOverTheTimeBound_IsAFinding()
    {
        // Parsing three megabytes of steps takes far longer than a zero time bound allows.
        var steps = string.Concat(Enumerable.Repeat("  - drop-caches:\n", 180_000));
        var summary = Fuzz([("big.yaml", "name: big\nsteps:\n" + steps)], new FuzzOptions(1, 1, TimeSpan.Zero), null);

        summary.Findings.ShouldHaveSingleItem().Summary.ShouldBe("ran past the time bound of 0 s");
    }

    private static FuzzSummary Fuzz(IReadOnlyList<(string, string)> sources, FuzzOptions options, Action<FuzzFinding>? found) =>
        new Fuzzer(ScenarioHarness.Plugins, ScenarioRunner.DefaultPluginDeadline).Run(sources, options, found);

    [Fact]
    public void FuzzCommand_RunsInProcess_AndReportsItsCounts()
    {
        var findings = Path.Combine(Path.GetTempPath(), "daxholder-fuzz-" + Guid.NewGuid().ToString("N"));
        var folder = Path.Combine(ScenarioHarness.ScenariosDirectory, "mm");
        var (exit, output, error) = CliRun.Run("fuzz", folder, "--count", "50", "--seed", "3", "--findings", findings);

        exit.ShouldBe(ExitCodes.Ok, output + error);
        output.ShouldStartWith($"fuzz: 50 mutant(s) of {Directory.GetFiles(folder, "*.yaml").Length} scenario(s), seed 3: ");
        output.ShouldEndWith("0 finding(s)" + Environment.NewLine);
        Directory.Exists(findings).ShouldBeFalse("nothing is written without a finding");
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--time-bound", "0")]
    public void FuzzCommand_BadOptions_AreBadInput(string option, string value)
    {
        var (exit, _, error) = CliRun.Run("fuzz", ScenarioHarness.ScenariosDirectory, option, value);

        exit.ShouldBe(ExitCodes.BadInput);
        error.ShouldStartWith("daxholder: fuzz: ");
    }
}
