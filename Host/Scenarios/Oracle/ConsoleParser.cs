using System.Globalization;
using DaxHolder.Scenarios.Language;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// Reads a guest's console (what init.sh, lib.sh and daxprobe print) into a <see cref="CellOutcome"/>:
/// <c>ORACLE-*</c> set-up lines, <c>RESULT step=N task=T event=...</c> observations and
/// <c>KLOG N ...</c> kernel-log slices. Lines the kernel itself wrote to the console are ignored.
/// </summary>
internal static partial class ConsoleParser
{
    public static CellOutcome Parse(string console, string scenario, string kernel, IReadOnlyList<ScenarioSetting> cell, IReadOnlyList<(int Number, string Kind)> steps)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(steps);
        var results = new Dictionary<int, string>();
        var signals = new Dictionary<int, List<SignalSeen>>();
        var exits = new Dictionary<int, List<TaskExit>>();
        var logs = new Dictionary<int, List<string>>();
        var setup = new List<string>();
        var problems = new List<string>();
        var pids = new Dictionary<string, int>(StringComparer.Ordinal);
        var seenSteps = new HashSet<int>();
        var release = "";
        var done = false;
        var current = 0;
        foreach (var raw in console.Split('\n'))
        {
            var line = Escape().Replace(raw.TrimEnd('\r'), "");
            var kernelLine = line.IndexOf("ORACLE: kernel ", StringComparison.Ordinal);
            if (kernelLine >= 0)
            {
                // The first guest line shares the console line with the firmware's "Booting from ROM..".
                release = line[(kernelLine + "ORACLE: kernel ".Length)..].Split(' ')[0];
            }
            else if (line.StartsWith("ORACLE: done", StringComparison.Ordinal))
            {
                done = true;
            }
            else if (line.StartsWith("ORACLE-STEP: ", StringComparison.Ordinal) && int.TryParse(line.Split(' ')[1], CultureInfo.InvariantCulture, out var begun))
            {
                seenSteps.Add(begun);
                current = begun;
            }
            else if (line.StartsWith("ORACLE-FSCHECK: ", StringComparison.Ordinal))
            {
                setup.Add("after the steps: " + line["ORACLE-".Length..]);
            }
            else if (line.StartsWith("ORACLE-", StringComparison.Ordinal) && !line.StartsWith("ORACLE-HOSTCMD", StringComparison.Ordinal))
            {
                setup.Add((current == 0 ? "" : $"step {current}: ") + line["ORACLE-".Length..]);
            }
            else if (line.StartsWith("KLOG ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', 3);
                var n = parts[1] == "end" ? steps.Count + 1 : int.TryParse(parts[1], CultureInfo.InvariantCulture, out var k) ? k : -1;
                if (n >= 0)
                {
                    Add(logs, n, parts.Length > 2 ? parts[2] : "");
                }
            }
            else if (line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                ReadResult(Fields(line), results, signals, exits, pids);
            }
        }

        if (!done)
        {
            problems.Add("the guest did not finish the case (timeout, hang or panic): see the console log");
        }

        foreach (var (number, kind) in steps.Where(s => !seenSteps.Contains(s.Number)))
        {
            problems.Add($"step {number} {kind} did not run in the guest");
        }

        var outcomes = new List<StepOutcome> { Step(0, "setup", results, signals, exits, logs) };
        outcomes.AddRange(steps.Select(s => Step(s.Number, s.Kind, results, signals, exits, logs)));
        if (logs.ContainsKey(steps.Count + 1))
        {
            outcomes.Add(Step(steps.Count + 1, "teardown", results, signals, exits, logs));
        }

        return new CellOutcome(scenario, kernel, release, cell, outcomes) { Setup = setup, Problems = problems, Pids = pids };
    }

    /// <summary>"key=value" fields of a RESULT line; a value runs to the next " key=" (exit statuses hold spaces).</summary>
    public static Dictionary<string, string> Fields(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        string? key = null;
        foreach (var token in tokens)
        {
            var eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && token[..eq].All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                key = token[..eq];
                fields[key] = token[(eq + 1)..];
            }
            else if (key is not null)
            {
                fields[key] += " " + token;
            }
        }

        return fields;
    }

    private static void ReadResult(Dictionary<string, string> f, Dictionary<int, string> results, Dictionary<int, List<SignalSeen>> signals, Dictionary<int, List<TaskExit>> exits, Dictionary<string, int> pids)
    {
        var task = f.GetValueOrDefault("task", "-");
        var step = int.TryParse(f.GetValueOrDefault("step"), CultureInfo.InvariantCulture, out var s) ? s : -1;
        switch (f.GetValueOrDefault("event"))
        {
            case "started" when int.TryParse(f.GetValueOrDefault("pid"), CultureInfo.InvariantCulture, out var pid):
                pids[task] = pid;
                break;
            case "result" when step >= 0 && !results.ContainsKey(step):
                var rc = f.GetValueOrDefault("rc", "?");
                results[step] = f.TryGetValue("offset", out var at) ? $"{rc} at +{at}" : rc;
                break;
            case "signal" when step >= 0:
                Add(signals, step, new SignalSeen(task, f.GetValueOrDefault("sig", "?"), f.GetValueOrDefault("si_code", "?"),
                    int.TryParse(f.GetValueOrDefault("lsb"), CultureInfo.InvariantCulture, out var lsb) ? lsb : -1,
                    f.GetValueOrDefault("map", "-"), ParseHex(f.GetValueOrDefault("offset", "0"))));
                break;
            case "exit" when step >= 0:
                Add(exits, step, new TaskExit(task, Exit(f.GetValueOrDefault("status", "?"))));
                break;
        }
    }

    /// <summary>"exit 0" → "exited 0"; "signal BUS core" → "killed by SIGBUS".</summary>
    public static string Exit(string status)
    {
        var parts = status.Split(' ');
        return parts[0] switch
        {
            "exit" when parts.Length > 1 => $"exited {parts[1]}",
            "signal" when parts.Length > 1 => $"killed by SIG{parts[1]}",
            _ => status,
        };
    }

    private static StepOutcome Step(int n, string kind, Dictionary<int, string> results, Dictionary<int, List<SignalSeen>> signals, Dictionary<int, List<TaskExit>> exits, Dictionary<int, List<string>> logs) =>
        new(n, kind, results.GetValueOrDefault(n), signals.GetValueOrDefault(n) ?? [], exits.GetValueOrDefault(n) ?? [], logs.GetValueOrDefault(n) ?? []);

    /// <summary>Terminal control sequences the firmware prints before the kernel (SeaBIOS clears the screen).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\x1b(\[[0-9;?]*[A-Za-z]|[A-Za-z])")]
    private static partial System.Text.RegularExpressions.Regex Escape();

    private static ulong ParseHex(string text) =>
        ulong.TryParse(text.StartsWith("0x", StringComparison.Ordinal) ? text[2..] : text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static void Add<T>(Dictionary<int, List<T>> map, int key, T value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }
}
