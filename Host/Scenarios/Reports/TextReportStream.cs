namespace DaxHolder.Scenarios.Reports;

/// <summary>
/// The text report written as the run goes: a cell's header with its first step, each step as
/// it is done, then the cell's fault and expectation count when the cell ends, cells separated by
/// a blank line. The bytes are those of <see cref="TextReport.Render(IEnumerable{RunReport})"/>
/// over the same runs; the writer is flushed after each write, so a long run shows its progress
/// and a stuck one shows the last step that finished.
/// </summary>
internal sealed class TextReportStream(TextWriter output) : IRunListener
{
    private readonly Lock gate = new();
    private int cells;
    private bool headerWritten;
    private int stepsWritten;

    /// <inheritdoc/>
    public void StepDone(Func<RunReport> cellSoFar, StepReport step)
    {
        ArgumentNullException.ThrowIfNull(cellSoFar);
        lock (gate)
        {
            if (!headerWritten)
            {
                Write(Separator() + TextReport.Header(cellSoFar()));
                headerWritten = true;
            }

            Write(TextReport.StepBlock(step));
            stepsWritten++;
        }
    }

    /// <inheritdoc/>
    public void CellDone(RunReport run)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (gate)
        {
            var rest = new System.Text.StringBuilder();
            if (!headerWritten)
            {
                rest.Append(Separator()).Append(TextReport.Header(run));
            }

            foreach (var step in run.Steps.Skip(stepsWritten))
            {
                rest.Append(TextReport.StepBlock(step));
            }

            Write(rest.Append(TextReport.Footer(run)).ToString());
            cells++;
            headerWritten = false;
            stepsWritten = 0;
        }
    }

    private string Separator() => cells == 0 ? "" : "\n";

    private void Write(string text)
    {
        output.Write(text);
        output.Flush();
    }
}
