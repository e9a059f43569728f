using System.CommandLine;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;
using Spectre.Console;

namespace DaxHolder.Cli;

/// <summary><c>daxholder plugins</c>: the plugins found, with their filesystem types; load errors on stderr.</summary>
internal static class PluginsCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var format = ScenarioOptions.FormatOption();
        var command = new Command("plugins", "List the filesystem plugins found: name, filesystem types, version, contract version and path.");
        command.Options.Add(format);
        command.SetAction(parsed =>
        {
            using var plugins = PluginSet.Load(global.Search(parsed, context));
            if (parsed.GetValue(format) == "json")
            {
                context.Output.Write(CommandJson.Plugins(plugins));
            }
            else
            {
                Render(plugins, context);
            }

            foreach (var error in plugins.Errors)
            {
                context.Error.WriteLine($"daxholder: {error}");
            }

            return plugins.Errors.Count == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
        });
        return command;
    }

    private static void Render(PluginSet plugins, CliContext context)
    {
        var console = ConsoleFor(context);
        if (plugins.Plugins.Count == 0)
        {
            console.WriteLine("No plugins found.");
            return;
        }

        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("Plugin", "Filesystems", "Version", "Contract", "Path");
        foreach (var plugin in plugins.Plugins)
        {
            table.AddRow(Markup.Escape(plugin.Name), Markup.Escape(plugin.FileSystems), Markup.Escape(plugin.Version), Markup.Escape(plugin.Contract), Markup.Escape(plugin.Folder));
        }

        console.Write(table);
        foreach (var overridden in plugins.Overridden)
        {
            console.WriteLine($"set aside: {overridden}");
        }
    }

    /// <summary>A Spectre console on the context's output: plain text, the terminal's width or a wide fixed one.</summary>
    internal static IAnsiConsole ConsoleFor(CliContext context)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = context.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = context.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = context.IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(context.Output),
        });
        if (!context.IsTerminal)
        {
            console.Profile.Width = 240;
        }

        return console;
    }
}
