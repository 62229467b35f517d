using Backprop.Cli;
using Spectre.Console;

namespace Backprop.Tests.Cli;

/// <summary>Runs the `backprop` command line in-process against a captured, non-interactive console.</summary>
internal static class CliRunner
{
    public static (int Code, string Output) Run(params string[] args) => Run(CancellationToken.None, args);

    public static (int Code, string Output) Run(CancellationToken token, params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        var code = CliApp.Run(args, console, token);
        return (code, writer.ToString());
    }
}
