using System.CommandLine;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;
using Spectre.Console;

namespace DaxHolder.Cli;

/// <summary>The options the scenario commands share, and how they turn into settings, plugins and progress.</summary>
internal sealed class ScenarioOptions
{
    public Option<string> Format { get; } = FormatOption(html: true);

    public Option<string?> Kernel { get; } = new("--kernel")
    {
        Description = "Kernel version profile (6.1, 6.12 or 7.2); the same as --set kernel=VERSION.",
        HelpName = "VERSION",
    };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Set a scenario field, e.g. --set filesystem.mkfs.reflink=0 or --set sysctls.vm.memory_failure_early_kill=1. Repeatable; a set field leaves the matrix.",
        HelpName = "PATH=VALUE",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>
    /// --format text|json: every command with a JSON output takes it (docs/schemas/ describes each
    /// JSON output); the commands that report a run (run, demo, compare) also write html.
    /// </summary>
    public static Option<string> FormatOption(bool html = false)
    {
        var format = new Option<string>("--format")
        {
            Description = html
                ? "Output format: text (for people and snapshots), json (for tools) or html (one self-contained page: device map, call trees, processes)."
                : "Output format: text (for people and snapshots) or json (for tools).",
            DefaultValueFactory = _ => "text",
            HelpName = html ? "text|json|html" : "text|json",
        };
        format.AcceptOnlyFromAmong(html ? ["text", "json", "html"] : ["text", "json"]);
        return format;
    }

    public void AddTo(Command command, bool format = true)
    {
        if (format)
        {
            command.Options.Add(Format);
        }

        command.Options.Add(Kernel);
        command.Options.Add(Set);
    }

    /// <summary>The --set values, then --kernel, as settings; a malformed one is a located error.</summary>
    public IReadOnlyList<ScenarioSetting> Settings(ParseResult parsed, string file)
    {
        var settings = new List<ScenarioSetting>();
        foreach (var text in parsed.GetValue(Set) ?? [])
        {
            try
            {
                settings.Add(ScenarioSetting.Parse(text));
            }
            catch (FormatException e)
            {
                throw new ScenarioException(new SourceLocation(file, 0, 0, "--set " + text), e.Message);
            }
        }

        if (parsed.GetValue(Kernel) is { } kernel)
        {
            settings.Add(new ScenarioSetting("kernel", kernel));
        }

        return settings;
    }

    /// <summary>
    /// Loads the plugins (with <paramref name="fileSystems"/>, only those providing them and those
    /// that declare nothing; without, all); any load error is reported and the command stops (exit 2).
    /// </summary>
    public static PluginSet? LoadPlugins(ParseResult parsed, GlobalOptions global, CliContext context, IReadOnlyCollection<string>? fileSystems)
    {
        var plugins = PluginSet.Load(global.Search(parsed, context), fileSystems);
        if (plugins.Errors.Count == 0)
        {
            return plugins;
        }

        foreach (var error in plugins.Errors)
        {
            context.Error.WriteLine($"daxholder: {error}");
        }

        plugins.Dispose();
        return null;
    }

    /// <summary>
    /// Each plugin fault of <paramref name="runs"/> as one located line on stderr; exit 3 if there
    /// was one, else <paramref name="otherwise"/>.
    /// </summary>
    public static int Faults(IEnumerable<RunReport> runs, CliContext context, int otherwise)
    {
        var faults = runs.Where(r => r.Fault is not null).ToList();
        foreach (var run in faults)
        {
            context.Error.WriteLine($"daxholder: {(run.Cell.Count == 0 ? "" : $"[{run.CellName}] ")}{run.Fault}");
        }

        return faults.Count > 0 ? ExitCodes.PluginFault : otherwise;
    }

    /// <summary>How long a run goes before progress is shown.</summary>
    public static readonly TimeSpan ProgressDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs <paramref name="body"/> (which calls its argument as each of <paramref name="total"/>
    /// cells is done); when standard error is a terminal and the run lasts past
    /// <see cref="ProgressDelay"/>, a progress bar on standard error (a spinner for a single cell),
    /// cleared at the end. Standard output is never touched.
    /// </summary>
    public static T WithProgress<T>(CliContext context, int total, string what, Func<Action, T> body) =>
        WithProgress(context, total, what, body, ProgressDelay);

    /// <inheritdoc cref="WithProgress{T}(CliContext, int, string, Func{Action, T})"/>
    internal static T WithProgress<T>(CliContext context, int total, string what, Func<Action, T> body, TimeSpan delay)
    {
        if (!context.IsErrorTerminal)
        {
            return body(() => { });
        }

        var done = 0;
        var work = Task.Run(() => body(() => Interlocked.Increment(ref done)));
        if (Task.WaitAny([work], delay) == 0)
        {
            return work.GetAwaiter().GetResult();
        }

        ShowProgress(context, total, what, work, () => Volatile.Read(ref done));
        return work.GetAwaiter().GetResult();
    }

    /// <summary>
    /// The progress bar until <paramref name="work"/> ends. A method of its own, so Spectre.Console
    /// is loaded only when a bar is shown, not by every run that never shows one.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ShowProgress(CliContext context, int total, string what, Task work, Func<int> done)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Error),
            Interactive = InteractionSupport.Yes,
        });
        console.Progress().AutoClear(true).Start(progress =>
        {
            var task = progress.AddTask(Markup.Escape(what), maxValue: Math.Max(total, 1));
            task.IsIndeterminate = total < 2;
            while (Task.WaitAny([work], TimeSpan.FromMilliseconds(100)) < 0)
            {
                task.Value = done();
            }

            task.Value = task.MaxValue;
        });
    }

    /// <summary>A scenario error: one line on stderr naming the file, line, column and field; exit 2.</summary>
    public static int Fail(CliContext context, ScenarioException error)
    {
        context.Error.WriteLine($"daxholder: {error.Message}");
        return ExitCodes.BadInput;
    }
}
