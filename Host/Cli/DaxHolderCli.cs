using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;

namespace DaxHolder.Cli;

/// <summary>
/// The daxholder command line: it parses and calls, nothing more. Parse errors and unknown
/// options exit with <see cref="ExitCodes.BadInput"/>.
/// </summary>
public static class DaxHolderCli
{
    /// <summary>daxholder's version (informational, without build metadata).</summary>
    public static string Version { get; } =
        (typeof(DaxHolderCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];

    /// <summary>Runs daxholder with <paramref name="args"/>.</summary>
    public static int Run(string[] args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = BuildRoot(context);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not VersionAction)
        {
            foreach (var error in parsed.Errors)
            {
                context.Error.WriteLine($"daxholder: {error.Message}");
            }

            context.Error.WriteLine("Try 'daxholder --help'.");
            return ExitCodes.BadInput;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = context.Output, Error = context.Error });
    }

    private static Command BuildRoot(CliContext context)
    {
        var plugins = new Option<string[]>("--plugins")
        {
            Description = $"Also load plugins from DIR (a plugin's build output, or a folder of plugin folders). Repeatable; {PluginLoading.PluginSource.EnvironmentVariable} lists more.",
            HelpName = "DIR",
            Recursive = true,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        // A plain command named daxholder, not RootCommand, whose name is the entry assembly's
        // (testhost under tests): help text is the same however daxholder is hosted.
        var root = new Command("daxholder", "DaxHolder: what Linux decides when poison hits filesystem-DAX memory, per filesystem plugin and kernel version.");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption { Action = new VersionAction() });
        root.Options.Add(plugins);

        root.Subcommands.Add(RunCommand.CreateDemo(plugins, context));
        root.Subcommands.Add(RunCommand.Create(plugins, context));
        root.Subcommands.Add(CheckCommand.Create(plugins, context));
        root.Subcommands.Add(CompareCommand.Create(plugins, context));
        root.Subcommands.Add(PluginsCommand.Create(plugins, context));
        root.Subcommands.Add(GenerateCommand.Create(context));
        return root;
    }

    /// <summary>--version prints daxholder's own version, whatever process hosts it.</summary>
    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return ExitCodes.Ok;
        }
    }
}
