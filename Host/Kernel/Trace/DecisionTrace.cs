namespace DaxHolder.Kernel.Trace;

/// <summary>
/// The decisions one machine has taken, in order. Every step of a scenario (an event, a fault, a
/// truncate) takes the slice it produced, together with the kernel log lines of the same span.
/// </summary>
internal sealed class DecisionTrace
{
    private readonly List<Decision> decisions = [];

    public IReadOnlyList<Decision> All => decisions;

    public int Mark => decisions.Count;

    public void Add(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        decisions.Add(decision);
    }

    public IReadOnlyList<Decision> Since(int mark) => decisions.Skip(mark).ToList();

    /// <summary>Forgets the decisions after <paramref name="mark"/>: bench/ replays a read-only walk without growing the trace.</summary>
    internal void TruncateTo(int mark) => decisions.RemoveRange(mark, decisions.Count - mark);
}
