using DaxHolder.Scenarios.Reports;
using System.Text;
using DaxHolder.Abstractions;
using DaxHolder.Cli;
using DaxHolder.Scenarios.Generating;
using DaxHolder.Scenarios.Language;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>daxholder generate: deterministic for a seed, parseable, and the same machine in memory as from its YAML.</summary>
public sealed class GeneratorTests
{
    private static readonly GeneratorOptions Small = new(Files: 30, ExtentsPerFile: 3, BlocksPerExtent: 2, SharingRatio: 0.2,
        Processes: 8, MappingsPerProcess: 3, FaultedFraction: 0.5, EarlyKillFraction: 0.25, Seed: 42);

    [Fact]
    public void SameSeed_SameText_OtherSeed_OtherText()
    {
        var a = ScenarioWriter.ToText(ScenarioGenerator.Generate(Small).Scenario);
        var b = ScenarioWriter.ToText(ScenarioGenerator.Generate(Small).Scenario);
        var c = ScenarioWriter.ToText(ScenarioGenerator.Generate(Small with { Seed = 43 }).Scenario);

        b.ShouldBe(a);
        c.ShouldNotBe(a);
    }

    [Fact]
    public void WrittenYaml_ParsesBackToTheSameScenario()
    {
        var text = ScenarioWriter.ToText(ScenarioGenerator.Generate(Small).Scenario);

        var parsed = ScenarioDocument.FromText("generated.yaml", text).Bind([]);

        ScenarioWriter.ToText(parsed).ShouldBe(text);
    }

    [Fact]
    public void WrittenYaml_WithUnbind_ParsesBack_AndUnbindNeedsNoTask()
    {
        // `daxholder generate --event unbind` writes "unbind:" with no writer task; the parser
        // takes the task as optional, as scenario.schema.json and the runner do.
        var text = ScenarioWriter.ToText(ScenarioGenerator.Generate(Small with { Event = GeneratedEvent.Unbind }).Scenario);

        var parsed = ScenarioDocument.FromText("generated.yaml", text).Bind([]);

        parsed.Steps[^1].ShouldBeOfType<UnbindStep>().Task.ShouldBeNull();
        ScenarioWriter.ToText(parsed).ShouldBe(text);
    }

    [Fact]
    public void Shape_FollowsTheOptions()
    {
        var generated = ScenarioGenerator.Generate(Small);
        var scenario = generated.Scenario;

        scenario.Files.Count.ShouldBe(30);
        scenario.Files.Count(f => f.CloneOf is not null).ShouldBe(6);
        scenario.Files.Where(f => f.CloneOf is null).ShouldAllBe(f => f.Extents == 3 && f.Size.Value == 3 * 2 * 2 * PageGeometry.PageSize);
        scenario.Steps.OfType<SpawnStep>().Select(s => s.Pid).ShouldBe(Enumerable.Range(ScenarioGenerator.FirstPid, 8));
        scenario.Steps.OfType<MmapStep>().Count().ShouldBe(24);
        scenario.Steps[^1].ShouldBeOfType<PoisonStep>().Target.File.ShouldBe(generated.FaultedPages[0].File);
        generated.FaultedPages.ShouldNotBeEmpty();
    }

    [Fact]
    public void InMemoryMachine_IsTheMachineItsYamlBuilds()
    {
        var generated = ScenarioGenerator.Generate(Small);
        var parsed = ScenarioDocument.FromText("generated.yaml", ScenarioWriter.ToText(generated.Scenario)).Bind([]);

        using var direct = GeneratedMachine.Build(generated, ScenarioHarness.Plugins);
        using var fromYaml = GeneratedMachine.Build(new GeneratedScenario(parsed, []), ScenarioHarness.Plugins);

        var fingerprint = Fingerprint(direct);
        fingerprint.ShouldBe(Fingerprint(fromYaml));
        fingerprint.ShouldContain("pte", customMessage: "pages were faulted");
    }

    [Fact]
    public void FileRecords_AreOnePerExtent_ForSourcesAndCopies()
    {
        using var machine = GeneratedMachine.Build(ScenarioGenerator.Generate(Small with { Processes = 0 }), ScenarioHarness.Plugins);
        var fs = machine.Mount.FileSystem;

        var records = fs.ReverseMap.Query(new DeviceExtent(new DeviceOffset(0), machine.State.Pmem!.Disk.Size)).Where(r => r.Owner.Inode is not null && r.FileOffset is not null).ToList();

        records.Count.ShouldBe(30 * 3);
    }

    [Fact]
    public void GeneratedScenario_RunsAndItsPoisonIsRecovered()
    {
        var text = ScenarioWriter.ToText(ScenarioGenerator.Generate(Small).Scenario);

        var run = ScenarioHarness.Run(text).Single();

        run.Steps[^1].Result.ShouldBe(StepResult.Ok);
        run.Steps[^1].Log.ShouldContain(l => l.Contains("recovery action for dax page: Recovered", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("  - { path: /f, size: 12KiB, extents: 2 }\n", "multiple of 4 blocks")]
    [InlineData("  - { path: /f, size: 16KiB, extents: 2, contents: hole }\n", "extents splits written data")]
    [InlineData("  - { path: /f, size: 16KiB, extents: 0 }\n", "at least 1")]
    public void Extents_BadUse_IsRefusedAtTheField(string file, string why)
    {
        var error = ScenarioHarness.Error("filesystem: { type: xfs, mkfs: { reflink: 1, rmapbt: 1 } }\nfiles:\n" + file);

        error.Message.ShouldContain(why);
    }

    [Theory]
    [InlineData(new[] { "generate", "--files", "0" }, "--files must be between 1")]
    [InlineData(new[] { "generate", "--faulted", "1.5" }, "--faulted is a fraction between 0 and 1")]
    [InlineData(new[] { "generate", "--files", "1", "--sharing", "0.5" }, "--sharing needs at least two files")]
    [InlineData(new[] { "generate", "--files", "100001" }, "a scenario holds at most 100,000 files, the most daxholder run reads")]
    [InlineData(new[] { "generate", "--processes", "32769", "--mappings", "1" }, "at most 32,768 tasks")]
    [InlineData(new[] { "generate", "--processes", "10000", "--mappings", "10" }, "at most 65,530 mappings")]
    [InlineData(new[] { "generate", "--processes", "1000", "--mappings", "10", "--extents", "100" }, "at most 100,000 steps")]
    [InlineData(new[] { "generate", "--files", "100000", "--processes", "1000", "--mappings", "10", "--extents", "1", "--faulted", "0" }, "daxholder run reads at most 4,194,304")]
    public void Generate_BadOption_Exits2_NamingIt(string[] args, string why)
    {
        var (exit, output, error) = CliRun.Run(args);

        exit.ShouldBe(ExitCodes.BadInput);
        output.ShouldBeEmpty();
        error.ShouldContain(why);
    }

    [Fact]
    public void Generate_ToAFile_WritesWhatStdoutGets()
    {
        var file = Path.Combine(Path.GetTempPath(), $"daxholder-generate-{Guid.NewGuid():N}.yaml");
        try
        {
            var (toStdout, text, _) = CliRun.Run("generate", "--files", "5", "--processes", "2", "--seed", "7");
            var (toFile, nothing, _) = CliRun.Run("generate", "--files", "5", "--processes", "2", "--seed", "7", "-o", file);

            (toStdout, toFile).ShouldBe((ExitCodes.Ok, ExitCodes.Ok));
            nothing.ShouldBeEmpty();
            File.ReadAllText(file).ShouldBe(text);
            text.ShouldContain("--seed 7");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Generate_WithinTheLimits_GivesAFileThatRunReads()
    {
        var text = ScenarioWriter.ToText(ScenarioGenerator.Generate(new GeneratorOptions(Files: 1000, Processes: 100, MappingsPerProcess: 10, Event: GeneratedEvent.None)).Scenario);

        var document = ScenarioDocument.FromText("generated.yaml", text);

        document.Bind(document.Cells([])[0]).Steps.Count.ShouldBeGreaterThan(1000);
    }

    [Fact]
    public void Generate_Interrupted_RemovesItsTemporaryFile_AndWritesNothing()
    {
        var file = Path.Combine(Path.GetTempPath(), $"daxholder-generate-{Guid.NewGuid():N}.yaml");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error, AppContext.BaseDirectory, null, IsTerminal: false);

        var exit = GenerateCommand.Generate(new GeneratorOptions(Files: 50, Processes: 5), file, context, cancelled.Token);

        exit.ShouldBe(ExitCodes.Interrupted);
        File.Exists(file + ".tmp").ShouldBeFalse("the temporary file is removed");
        File.Exists(file).ShouldBeFalse("nothing is written");
        error.ToString().ShouldContain("interrupted");
    }

    /// <summary>Every file rmap record, every VMA and every page-table leaf of every process, as text.</summary>
    private static string Fingerprint(GeneratedMachine machine)
    {
        var text = new StringBuilder();
        foreach (var r in machine.Mount.FileSystem.ReverseMap.Query(new DeviceExtent(new DeviceOffset(0), machine.State.Pmem!.Disk.Size)))
        {
            text.Append("rmap ").Append(r.Extent).Append(' ').Append(r.Owner).Append(' ').Append(r.FileOffset).Append('\n');
        }

        foreach (var process in machine.Machine.Tasks.Processes.Where(p => p.Mm is not null))
        {
            foreach (var vma in process.Mm!.Vmas)
            {
                text.Append("vma ").Append(process.Leader).Append(' ').Append(vma).Append(' ').Append(vma.File?.Mapping.Host).Append(' ').Append(vma.Pgoff).Append('\n');
            }

            foreach (var leaf in process.Mm.PageTable.Entries)
            {
                text.Append("pte ").Append(process.Leader).Append(' ').Append(leaf).Append('\n');
            }
        }

        return text.ToString();
    }
}
