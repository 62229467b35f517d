using Backprop.Cli;
using Spectre.Console;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C asks training to finish its batch and save a checkpoint; a second one ends the process.
    e.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
};
return CliApp.Run(args, AnsiConsole.Console, stop.Token);
