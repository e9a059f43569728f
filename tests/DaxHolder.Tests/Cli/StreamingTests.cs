using DaxHolder.Cli;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Cli;

/// <summary>
/// <c>run</c> writes its text report as the run goes, step by step, and the bytes are those of
/// the whole report rendered at the end.
/// </summary>
public sealed class StreamingTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "daxholder-stream-" + Guid.NewGuid().ToString("N"));

    public StreamingTests() => Directory.CreateDirectory(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    public static TheoryData<string> MatrixScenarios()
    {
        var data = new TheoryData<string>();
        foreach (var file in new[] { "mm/untouched.yaml", "mm/threads.yaml", "demo.yaml" })
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MatrixScenarios))]
    public void StreamedRun_IsByteIdenticalToTheWholeReport(string relative)
    {
        var file = Path.Combine(ScenarioHarness.ScenariosDirectory, relative);
        var document = ScenarioDocument.Load(file);
        var cells = document.Cells([]);
        var whole = TextReport.Render(cells.Select(c => ScenarioHarness.RunFile(file, c)).ToList());

        var (_, output, error) = CliRun.Run("run", file);

        output.ShouldBe(whole, error);
    }

    [Fact]
    public void EachStep_IsWrittenWhenItIsDone_BeforeTheCellEnds()
    {
        var file = Path.Combine(ScenarioHarness.ScenariosDirectory, "demo.yaml");
        var document = ScenarioDocument.Load(file);
        var writer = new StringWriter();
        var recorder = new RecordingListener(new TextReportStream(writer), writer);

        var runs = new ScenarioRunner(ScenarioHarness.Plugins).RunAll(document, document.Cells([]), null, recorder);

        var steps = runs.Single().Steps;
        recorder.WrittenBeforeEachStep.Count.ShouldBe(steps.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            // When step i is done, everything before it is already on the writer, and then it is.
            recorder.WrittenAfterEachStep[i].ShouldEndWith(TextReport.StepBlock(steps[i]));
            recorder.WrittenAfterEachStep[i].Length.ShouldBeGreaterThan(recorder.WrittenBeforeEachStep[i].Length);
        }

        recorder.WrittenBeforeCellDone.ShouldBe(writer.ToString()[..recorder.WrittenBeforeCellDone.Length]);
        recorder.WrittenBeforeCellDone.ShouldNotBeEmpty();
        writer.ToString().ShouldBe(TextReport.Render(runs));
    }

    [Fact]
    public void Run_WritesEachStepToStandardOutputAsItIsDone()
    {
        var file = Path.Combine(ScenarioHarness.ScenariosDirectory, "mm/untouched.yaml");
        var output = new CountingWriter();
        var error = new StringWriter();

        DaxHolderCli.Run(["run", file], new CliContext(output, error, AppContext.BaseDirectory, null, IsTerminal: false));

        var cells = ScenarioDocument.Load(file).Cells([]);
        var steps = cells.Select(c => ScenarioHarness.RunFile(file, c).Steps.Count).Sum();
        // Each cell: its header, each step, its end; a report written whole at the end flushes at most once.
        output.Flushes.ShouldBe(cells.Count + steps + cells.Count, error.ToString());
    }

    [Fact]
    public void ACellThatFailsToLoad_IsAnErrorBeforeAnyCellIsWritten()
    {
        var file = Path.Combine(root, "second-fails.yaml");
        File.WriteAllText(file, """
            name: second-fails
            kernel: "6.12"
            device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
            filesystem:
              type: xfs
              mkfs: { reflink: 1, rmapbt: 1 }
              mount: { dax: always }
            files:
              - { path: /f, size: 64KiB }
            matrix:
              filesystem.type: [xfs, nosuchfs]
            steps:
              - spawn: { task: t, comm: toucher, pid: 3401, sigbus: handler }
              - mmap: { task: t, as: f, file: /f, length: 16KiB, type: shared }
              - touch: { task: t, map: f, length: 16KiB }
            """);

        var (exit, output, error) = CliRun.Run("run", file);

        exit.ShouldBe(ExitCodes.BadInput, output + error);
        error.ShouldContain("no loaded plugin provides filesystem 'nosuchfs' (loaded: erofs, ext4, xfs)");
        output.ShouldBeEmpty();
    }

    /// <summary>A writer that counts its flushes: the streamed report flushes a cell's header, each step and the cell's end.</summary>
    private sealed class CountingWriter : StringWriter
    {
        public int Flushes { get; private set; }

        public override void Flush()
        {
            Flushes++;
            base.Flush();
        }
    }

    /// <summary>Passes each event on, noting what the writer held just before and just after it.</summary>
    private sealed class RecordingListener(IRunListener inner, StringWriter writer) : IRunListener
    {
        public List<string> WrittenBeforeEachStep { get; } = [];

        public List<string> WrittenAfterEachStep { get; } = [];

        public string WrittenBeforeCellDone { get; private set; } = "";

        public void StepDone(Func<RunReport> cellSoFar, StepReport step)
        {
            WrittenBeforeEachStep.Add(writer.ToString());
            inner.StepDone(cellSoFar, step);
            WrittenAfterEachStep.Add(writer.ToString());
        }

        public void CellDone(RunReport run)
        {
            WrittenBeforeCellDone = writer.ToString();
            inner.CellDone(run);
        }
    }
}
