using System.CommandLine;
using System.Globalization;
using DaxHolder.Scenarios.Running;

namespace DaxHolder.Cli;

/// <summary>The options every command takes: where plugins come from, which wins a clash, their deadline, and --verbose.</summary>
internal sealed class GlobalOptions
{
    public Option<string[]> Plugins { get; } = new("--plugins")
    {
        Description = $"Also load plugins from DIR (a plugin's build output, or a folder of plugin folders). Repeatable; {PluginSet.EnvironmentVariable} lists more.",
        HelpName = "DIR",
        Recursive = true,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> PluginOverride { get; } = new("--plugin-override")
    {
        Description = "Where plugin NAME and another provide one filesystem type, or two plugins are called NAME (your build of a shipped plugin), use NAME from the latest source. Repeatable.",
        HelpName = "NAME",
        Recursive = true,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<double> PluginTimeout { get; } = new("--plugin-timeout")
    {
        Description = "Seconds a single call into a plugin may run before it is abandoned as a plugin fault (exit 3).",
        HelpName = "SECONDS",
        Recursive = true,
        DefaultValueFactory = _ => ScenarioRunner.DefaultPluginDeadline.TotalSeconds,
    };

    public Option<bool> Verbose { get; } = new("--verbose")
    {
        Description = "On an internal error, print the stack trace too.",
        Recursive = true,
    };

    public GlobalOptions()
    {
        PluginTimeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is var seconds && (seconds <= 0 || double.IsNaN(seconds) || seconds > 86400))
            {
                result.AddError($"--plugin-timeout must be a number of seconds above 0 and at most 86400 (got {seconds.ToString(CultureInfo.InvariantCulture)})");
            }
        });
    }

    public void AddTo(Command root)
    {
        root.Options.Add(Plugins);
        root.Options.Add(PluginOverride);
        root.Options.Add(PluginTimeout);
        root.Options.Add(Verbose);
    }

    /// <summary>The plugin search the options and the environment give.</summary>
    public PluginSearch Search(ParseResult parsed, CliContext context) =>
        new(context.HostDirectory, context.PluginsVariable, parsed.GetValue(Plugins) ?? [], parsed.GetValue(PluginOverride) ?? []) { Unloadable = !context.ExitsAfterCommand };

    /// <summary>The deadline of one plugin call.</summary>
    public TimeSpan Deadline(ParseResult parsed) => TimeSpan.FromSeconds(parsed.GetValue(PluginTimeout));
}
