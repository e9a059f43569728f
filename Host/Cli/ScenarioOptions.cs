using System.CommandLine;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;
using Spectre.Console;

namespace DaxHolder.Cli;

/// <summary>The options the scenario commands share, and how they turn into settings, plugins and progress.</summary>
internal sealed class ScenarioOptions
{
    public Option<string> Format { get; } = new("--format")
    {
        Description = "Output format: text (for people and snapshots), json (for tools) or html (one self-contained page: device map, call trees, processes).",
        DefaultValueFactory = _ => "text",
        HelpName = "text|json|html",
    };

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

    public ScenarioOptions()
    {
        Format.AcceptOnlyFromAmong("text", "json", "html");
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

    /// <summary>Loads the plugins; any load error is reported and the command stops (exit 2).</summary>
    public static PluginSet? LoadPlugins(ParseResult parsed, GlobalOptions global, CliContext context)
    {
        var plugins = PluginSet.Load(global.Search(parsed, context));
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

    /// <summary>Runs <paramref name="body"/> with a progress bar on a terminal (for long runs), or plainly otherwise.</summary>
    public static T WithProgress<T>(CliContext context, int total, string what, Func<Action, T> body)
    {
        if (!context.IsTerminal || total < 2)
        {
            return body(() => { });
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
        return console.Progress().AutoClear(true).Start(progress =>
        {
            var task = progress.AddTask(Markup.Escape(what), maxValue: total);
            return body(() => task.Increment(1));
        });
    }

    /// <summary>A scenario error: one line on stderr naming the file, line, column and field; exit 2.</summary>
    public static int Fail(CliContext context, ScenarioException error)
    {
        context.Error.WriteLine($"daxholder: {error.Message}");
        return ExitCodes.BadInput;
    }
}
