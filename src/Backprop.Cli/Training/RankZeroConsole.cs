using Backprop.Distributed;
using Spectre.Console;

namespace Backprop.Cli.Training;

/// <summary>How a distributed run speaks: rank 0 prints, the others stay silent but for their own errors.</summary>
internal static class RankZeroConsole
{
    private static readonly TimeSpan ForwardingGrace = TimeSpan.FromMilliseconds(300);

    /// <summary>A console that writes nothing, for the ranks other than 0.</summary>
    public static IAnsiConsole Silent() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(TextWriter.Null),
    });

    /// <summary>
    /// Prints a rank's error, naming the rank, and ends every rank (MPI_Abort), since the others would otherwise
    /// wait for it until their timeout.
    /// </summary>
    public static void ReportAndAbort(IAnsiConsole console, ICommunicator communicator, Exception error)
    {
        if (communicator.Size == 1)
        {
            return;
        }

        console.MarkupLine($"[red]error:[/] rank {communicator.Rank} of {communicator.Size}: {Markup.Escape(error.Message.ReplaceLineEndings(" "))}");

        // The launcher forwards each rank's output through a pipe and stops forwarding once a rank aborts: give it a moment to pass the message on.
        Console.Out.Flush();
        Thread.Sleep(ForwardingGrace);
        communicator.Abort(error is TrainingDivergedException ? 3 : 1);
    }
}
