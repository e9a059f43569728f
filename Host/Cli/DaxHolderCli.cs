using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;

namespace DaxHolder.Cli;

/// <summary>
/// The daxholder command line: it parses and calls, nothing more. Parse errors, unknown commands
/// and unknown options exit with <see cref="ExitCodes.BadInput"/>, even beside --help; a file or
/// folder that cannot be read or written is bad input too; anything else that escapes is an
/// internal error (<see cref="ExitCodes.InternalError"/>): one line, the stack only with --verbose.
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
        var global = new GlobalOptions();
        var root = BuildRoot(global, context);
        var parsed = root.Parse(args);
        var errors = parsed.Errors.Select(e => e.Message)
            .Concat(parsed.UnmatchedTokens.Select(t => $"Unrecognized command or argument '{t}'."))
            .Concat(UnknownOptionsTakenAsArguments(parsed))
            .Distinct(StringComparer.Ordinal).ToList();
        if (errors.Count > 0 && !(parsed.Action is VersionAction && parsed.Errors.Count == 0))
        {
            foreach (var error in errors)
            {
                context.Error.WriteLine($"daxholder: {error}");
            }

            context.Error.WriteLine("Try 'daxholder --help'.");
            return ExitCodes.BadInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = context.Output, Error = context.Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"daxholder: {e.Message}");
            return ExitCodes.BadInput;
        }
#pragma warning disable CA1031 // the one place an unexpected exception becomes exit 4 instead of a crash
        catch (Exception e)
#pragma warning restore CA1031
        {
            context.Error.WriteLine($"daxholder: internal error: {e.GetType().Name}: {e.Message}. This is a bug in DaxHolder {Version}: please report it with the command you ran{(parsed.GetValue(global.Verbose) ? "" : " (--verbose prints the stack)")}.");
            if (parsed.GetValue(global.Verbose))
            {
                context.Error.WriteLine(e.ToString());
            }

            return ExitCodes.InternalError;
        }
    }

    /// <summary>A token that looks like an option ("--bogus") but was taken as a command's argument is an unknown option.</summary>
    private static IEnumerable<string> UnknownOptionsTakenAsArguments(ParseResult parsed) =>
        parsed.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>()
            .SelectMany(a => a.Tokens)
            .Where(t => t.Value.Length > 1 && t.Value[0] == '-' && !File.Exists(t.Value) && !Directory.Exists(t.Value))
            .Select(t => $"Unrecognized option '{t.Value}'.");

    private static Command BuildRoot(GlobalOptions global, CliContext context)
    {
        // A plain command named daxholder, not RootCommand, whose name is the entry assembly's
        // (testhost under tests): help text is the same however daxholder is hosted.
        var root = new Command("daxholder", "DaxHolder: what Linux decides when poison hits filesystem-DAX memory, per filesystem plugin and kernel version.");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption { Action = new VersionAction() });
        global.AddTo(root);

        root.Subcommands.Add(RunCommand.CreateDemo(global, context));
        root.Subcommands.Add(RunCommand.Create(global, context));
        root.Subcommands.Add(CheckCommand.Create(global, context));
        root.Subcommands.Add(CompareCommand.Create(global, context));
        root.Subcommands.Add(PluginsCommand.Create(global, context));
        root.Subcommands.Add(GenerateCommand.Create(context));
        root.Subcommands.Add(OracleCommand.Create(global, context));
        root.Subcommands.Add(ConformCommand.Create(global, context));
        root.Subcommands.Add(FuzzCommand.Create(global, context));
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
