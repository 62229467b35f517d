using System.ComponentModel;
using System.Globalization;
using Backprop.Cli.Models;
using Backprop.Cli.Plots;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Explaining;

/// <summary>`backprop explain attention`: each head's attention weights for a text, as a PNG grid (one row per block, one tile per head), and where the last character looks.</summary>
internal sealed class AttentionCommand(IAnsiConsole console) : Command<AttentionCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--model <FILE>")]
        [Description("The model.safetensors of a `backprop train --model gpt` run.")]
        public string? Model { get; init; }

        [CommandOption("--text <TEXT>")]
        [Description("The text to look at (its last context length of characters are read).")]
        public string? Text { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("The PNG to write (default: attention.png beside the model).")]
        public string? Out { get; init; }

        public override ValidationResult Validate() =>
            Model is null ? ValidationResult.Error("--model is required: the model.safetensors of a `backprop train --model gpt` run.")
            : string.IsNullOrEmpty(Text) ? ValidationResult.Error("--text is required: the characters whose attention to show.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var file = GptFile.Load(settings.Model!);
        var ids = file.Vocabulary.Encode(settings.Text!);
        var config = file.Model.Config;
        ids = ids[Math.Max(0, ids.Length - config.ContextLength)..];
        var steps = ids.Length;
        var weights = file.Model.AttentionWeights(Tensor.FromArray(ids, 1, steps));
        var tiles = weights.SelectMany(w => Enumerable.Range(0, config.Heads).Select(h => w.ToArray().AsSpan(h * steps * steps, steps * steps).ToArray())).ToList();
        var path = ImageGrid.Save(settings.Out ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Model!))!, "attention.png"), tiles, steps, steps, config.Heads, ImageGrid.Scale.GreyPerTile);
        var text = file.Vocabulary.Decode(ids);
        console.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/]: {config.Layers} rows (blocks) of {config.Heads} heads, each {steps}×{steps}; row i is how much character i attends to each character up to it (white most).");

        var table = new Table().Border(TableBorder.Simple).Caption($"where the last character, {Show(text[^1..])}, looks: the three characters each head weighs most");
        table.AddColumn("block");
        table.AddColumn("head");
        table.AddColumn("attends to");
        for (var layer = 0; layer < weights.Count; layer++)
        {
            var w = weights[layer].ToArray();
            for (var h = 0; h < config.Heads; h++)
            {
                var row = w.AsSpan(((h * steps) + steps - 1) * steps, steps).ToArray();
                var top = Enumerable.Range(0, steps).OrderByDescending(j => row[j]).Take(3)
                    .Select(j => string.Create(CultureInfo.InvariantCulture, $"{Show(file.Vocabulary.Decode(ids[j]))} @{j} ({row[j]:P0})"));
                table.AddRow(layer.ToString(CultureInfo.InvariantCulture), h.ToString(CultureInfo.InvariantCulture), Markup.Escape(string.Join(", ", top)));
            }
        }

        console.Write(table);
        return 0;
    }

    private static string Show(string symbol) => symbol switch
    {
        "\n" => "'\\n'",
        _ => $"'{symbol}'",
    };
}
