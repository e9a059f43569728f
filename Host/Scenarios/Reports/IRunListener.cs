namespace DaxHolder.Scenarios.Reports;

/// <summary>
/// Told as a scenario runs, so a report can be written while it runs: each step of a cell once it
/// is done, in order, then the cell's whole report. Steps come from the thread that runs the cell;
/// none comes after its cell is done.
/// </summary>
internal interface IRunListener
{
    /// <summary>
    /// A step of the running cell is done. <paramref name="cellSoFar"/> gives the cell's report
    /// as it stands (its header, the steps done so far).
    /// </summary>
    void StepDone(Func<RunReport> cellSoFar, StepReport step);

    /// <summary>The cell is done: its whole report, including any step a plugin fault cut short and the fault.</summary>
    void CellDone(RunReport run);
}
