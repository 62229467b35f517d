using System.ComponentModel;
using System.Globalization;
using Backprop.Cli.Models;
using Backprop.Cli.Plots;
using Backprop.Cli.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Evaluation;

/// <summary>`backprop eval`: accuracy, per-class precision and recall, and the confusion matrix of a model on labelled data.</summary>
internal sealed class EvalCommand(IAnsiConsole console) : Command<EvalCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--data <PATH>")]
        [Description("An MNIST directory (its test set; default: the bundled copy) or a CSV file.")]
        public string? Data { get; init; }

        [CommandOption("--label <COLUMN>")]
        [Description("The label column of a CSV file.")]
        public string? Label { get; init; }

        [CommandOption("--out <PNG>")]
        [Description("Where to write the confusion-matrix heatmap (default: confusion.png beside the model).")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var file = settings.LoadModel();
        var data = InputScaling.LoadLabelled(settings.Data ?? TrainingData.DefaultMnistDirectory(), settings.Label, file.Metadata);
        if (file.Spec.Inputs >= 0 && data.Inputs.Size(1) != file.Spec.Inputs)
        {
            throw new ArgumentException($"the model takes {file.Spec.Inputs} inputs but the data has {data.Inputs.Size(1)} features.");
        }

        var classes = file.Spec.Outputs;
        var result = Evaluator.Run(file.Model, data, Evaluator.LossFunction("cross-entropy", classes, 0f));
        var matrix = ConfusionMatrix.From(result, classes);
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]{Markup.Escape(settings.Model!)}[/] on {data.Count:N0} samples: accuracy [bold green]{100 * result.Accuracy:F2}%[/], cross-entropy {result.Loss:F4}"));

        var perClass = new Table().Border(TableBorder.Rounded).Title("Per class");
        foreach (var column in new[] { "class", "precision", "recall", "F1", "support" })
        {
            perClass.AddColumn(new TableColumn(column).RightAligned());
        }

        for (var c = 0; c < classes; c++)
        {
            var (precision, recall, f1) = matrix.Scores(c);
            perClass.AddRow(
                c.ToString(CultureInfo.InvariantCulture),
                precision.ToString("P2", CultureInfo.InvariantCulture),
                recall.ToString("P2", CultureInfo.InvariantCulture),
                f1.ToString("F4", CultureInfo.InvariantCulture),
                matrix.Support(c).ToString("N0", CultureInfo.InvariantCulture));
        }

        console.Write(perClass);
        var confusion = new Table().Border(TableBorder.Simple).Title("Confusion matrix (rows: true class, columns: predicted)");
        confusion.AddColumn("");
        for (var c = 0; c < classes; c++)
        {
            confusion.AddColumn(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned());
        }

        for (var t = 0; t < classes; t++)
        {
            var row = new List<string> { t.ToString(CultureInfo.InvariantCulture) };
            for (var p = 0; p < classes; p++)
            {
                var count = matrix.Counts[t, p].ToString(CultureInfo.InvariantCulture);
                row.Add(t == p ? $"[green]{count}[/]" : matrix.Counts[t, p] > 0 ? $"[red]{count}[/]" : "[grey]0[/]");
            }

            confusion.AddRow(row.ToArray());
        }

        console.Write(confusion);
        var png = settings.Out ?? settings.BesideModel("confusion.png");
        png = Charts.SaveConfusionMatrix(png, matrix.Counts);
        console.MarkupLine($"Wrote {Markup.Escape(png)}.");
        return 0;
    }
}
