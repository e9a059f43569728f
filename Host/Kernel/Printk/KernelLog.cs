using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Printk;

/// <summary>One printk line, as dmesg shows it (no timestamp: output must be deterministic). Two lines are equal when their level and text are.</summary>
internal sealed record LogLine(KernelLogLevel Level, string Text)
{
    public override string ToString() => Text;
}

/// <summary>
/// The text of a line the kernel prints once per page or per task (memory-failure's "Sending
/// SIGBUS", action_result()'s "recovery action for"): the log keeps such a line as this shared
/// format and its values, and formats it when it is read, so that a whole-device pre-remove
/// holds neither half a million strings nor an object per line.
/// </summary>
internal abstract class LogFormat
{
    /// <summary>The line's text from the values it was printed with.</summary>
    public abstract string Render(string text, ulong number, int small);
}

/// <summary>
/// kernel/printk: the kernel ring buffer of one machine. Lines are kept in order, as values
/// (<see cref="Entry"/>, in chunks), and each is also a record in the machine's decision trace,
/// at the point it was printed.
/// </summary>
internal sealed class KernelLog : IKernelLog
{
    private readonly AppendList<Entry> entries = new();
    private readonly HashSet<string> warnedOnce = new(StringComparer.Ordinal);
    private readonly DecisionTrace? trace;

    public KernelLog(DecisionTrace? trace = null)
    {
        this.trace = trace;
        Lines = new View(entries);
    }

    /// <summary>Every line so far; a line is made from its values each time it is read.</summary>
    public IReadOnlyList<LogLine> Lines { get; }

    /// <summary>Position to slice from: the number of lines printed so far.</summary>
    public int Mark => entries.Count;

    public void Printk(KernelLogLevel level, string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        Print(new Entry(level, null, line, 0, 0));
    }

    /// <summary>printk of a line kept as <paramref name="format"/> and its values, formatted when read (see <see cref="LogFormat"/>).</summary>
    public void Printk(KernelLogLevel level, LogFormat format, string text, ulong number, int small)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(text);
        Print(new Entry(level, format, text, number, small));
    }

    /// <summary>The lines printed since <paramref name="mark"/>.</summary>
    public IReadOnlyList<LogLine> Since(int mark)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(mark);
        var lines = new List<LogLine>(Math.Max(0, entries.Count - mark));
        for (var i = mark; i < entries.Count; i++)
        {
            lines.Add(entries.At(i).Line);
        }

        return lines;
    }

    /// <summary>
    /// include/asm-generic/bug.h: WARN_ON_ONCE. True (and the site remembered) the first time a
    /// site fires in this boot; later hits print nothing.
    /// </summary>
    public bool FirstWarning(string site) => warnedOnce.Add(site);

    private void Print(in Entry entry)
    {
        entries.Add(entry);
        trace?.LogPrinted(Lines, entries.Count - 1);
    }

    /// <summary>
    /// One line as the log keeps it: 32 bytes in a chunk, with no reference to a young object (a
    /// plain line's text, or a format and the comm or page type it names, which the machine
    /// already holds), so the collector neither copies lines nor scans a chunk for them.
    /// </summary>
    private readonly record struct Entry(KernelLogLevel Level, LogFormat? Format, string Text, ulong Number, int Small)
    {
        public LogLine Line => new(Level, Format is null ? Text : Format.Render(Text, Number, Small));
    }

    private sealed class View(AppendList<Entry> entries) : IReadOnlyList<LogLine>
    {
        public int Count => entries.Count;

        public LogLine this[int index] => entries.At(index).Line;

        public IEnumerator<LogLine> GetEnumerator()
        {
            for (var i = 0; i < entries.Count; i++)
            {
                yield return entries.At(i).Line;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
