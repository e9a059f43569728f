using System.Text.RegularExpressions;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// Reads facts out of kernel log lines the same way for the real kernel and the model: action
/// results (mm/memory-failure.c: action_result() prints "Memory failure: %#lx: recovery action
/// for %s: %s"), filesystem shutdown (fs/xfs/xfs_fsops.c: xfs_do_force_shutdown(), ext4's
/// "shut down"), kernel health (WARN, BUG/Oops, panic) and the memory-failure lines.
/// </summary>
internal static partial class KernelLog
{
    public static IReadOnlyList<string> ActionResults(IEnumerable<string> log) =>
        log.Select(l => ActionResult().Match(l)).Where(m => m.Success).Select(m => $"{m.Groups[1].Value}: {m.Groups[2].Value}").ToList();

    public static bool Shutdown(IEnumerable<string> log) => log.Any(l => ShutdownLine().IsMatch(l));

    public static string Health(IEnumerable<string> log)
    {
        var lines = log.ToList();
        return lines.Any(l => l.Contains("Kernel panic", StringComparison.Ordinal)) ? "panic"
            : lines.Any(l => l.Contains("Oops", StringComparison.Ordinal) || l.StartsWith("BUG:", StringComparison.Ordinal) || l.Contains("kernel BUG", StringComparison.Ordinal) || l.Contains("general protection fault", StringComparison.Ordinal)) ? "oops"
            : lines.Any(l => l.StartsWith("WARNING:", StringComparison.Ordinal) || l.Contains("------------[ cut here ]", StringComparison.Ordinal)) ? "warning"
            : "clean";
    }

    /// <summary>The memory-failure lines (mm/memory-failure.c, mm/hwpoison-inject.c, mm/madvise.c), for comparison.</summary>
    public static IEnumerable<string> MemoryFailureLines(IEnumerable<string> log) =>
        log.Where(l => l.Contains("Memory failure", StringComparison.Ordinal) || l.Contains("Injecting memory failure", StringComparison.Ordinal)
                       || l.Contains("Soft offlining", StringComparison.Ordinal) || l.Contains("notify_failure", StringComparison.Ordinal));

    /// <summary>
    /// A log line with what legitimately differs between the real kernel and the model masked:
    /// symbol offsets and modules of %pS are dropped, hex numbers (pfns, addresses) become
    /// &lt;hex&gt;, and "comm:pid" of a known task becomes
    /// "comm:&lt;task&gt;".
    /// </summary>
    public static string Normalize(string line, IReadOnlyDictionary<int, string> tasksByPid)
    {
        ArgumentNullException.ThrowIfNull(line);

        // %pS prints a symbol with its offset, size and module ("xfs_dax_notify_ddev_failure+0x289/0x430 [xfs]"):
        // build-specific, so only the symbol is compared
        var masked = Hex().Replace(SymbolOffset().Replace(line, "$1"), "<hex>");
        return CommPid().Replace(masked, m =>
            int.TryParse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture, out var pid) && tasksByPid.TryGetValue(pid, out var task)
                ? $"{m.Groups[1].Value}:<{task}>"
                : m.Value);
    }

    [GeneratedRegex(@"recovery action for (.+?): (\w+)")]
    private static partial Regex ActionResult();

    [GeneratedRegex(@"(?i)shutting down filesystem|shut down filesystem|filesystem has been shut down|EXT4-fs.*shut ?down|Shutdown \(")]
    private static partial Regex ShutdownLine();

    [GeneratedRegex(@"\b([A-Za-z_][A-Za-z0-9_.]*)\+0x[0-9a-fA-F]+/0x[0-9a-fA-F]+(?: \[[A-Za-z0-9_]+\])?")]
    private static partial Regex SymbolOffset();

    [GeneratedRegex(@"0x[0-9a-fA-F]+")]
    private static partial Regex Hex();

    [GeneratedRegex(@"([^\s:]+):(\d+)\b")]
    private static partial Regex CommPid();
}
