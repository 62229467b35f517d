using System.ComponentModel;
using Backprop.Cli.Models;
using Backprop.Cli.Plots;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Explaining;

/// <summary>`backprop explain filters`: the first convolution's learned filters as a PNG grid, one row per output channel.</summary>
internal sealed class FiltersCommand(IAnsiConsole console) : Command<FiltersCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--out <FILE>")]
        [Description("The PNG to write (default: filters.png beside the model).")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var file = settings.LoadModel();
        var (name, conv) = settings.FirstConv(file, "explain filters");
        var (kh, kw) = (conv.KernelSize.H, conv.KernelSize.W);
        var perOutput = conv.InChannels / conv.Groups;
        var weights = conv.Weight.ToArray();
        var tiles = Enumerable.Range(0, conv.OutChannels * perOutput).Select(i => weights.AsSpan(i * kh * kw, kh * kw).ToArray()).ToList();
        var columns = perOutput == 1 ? (int)Math.Ceiling(Math.Sqrt(tiles.Count)) : perOutput;
        var path = ImageGrid.Save(settings.Out ?? settings.BesideModel("filters.png"), tiles, kh, kw, columns, ImageGrid.Scale.Diverging);
        console.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/]: the {conv.OutChannels} filters of layer '{Markup.Escape(name)}' ({Markup.Escape(conv.ToString())}), {kh}×{kw}{(perOutput > 1 ? $", one row of {perOutput} input channels each" : string.Empty)}; red is positive, blue negative, on one scale (±{weights.Max(MathF.Abs):G3}).");
        return 0;
    }
}
