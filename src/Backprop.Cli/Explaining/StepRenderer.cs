using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Backprop.Cli.Explaining;

/// <summary>Writes traced training steps as plain text, Markdown or JSON.</summary>
internal static class StepRenderer
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Text(IReadOnlyList<StepTrace> steps, float learningRate)
    {
        var sb = new StringBuilder();
        foreach (var step in steps)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Step {step.Step}\n  Forward propagation\n");
            foreach (var line in step.Forward)
            {
                sb.Append(CultureInfo.InvariantCulture, $"    {line.Formula}\n        = {TensorText.Format(line.Value)}\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"    {step.Cost.Formula}\n        = {TensorText.Format(step.Cost.Value)}\n");
            sb.Append("  Backward propagation (chain rule, output layer first)\n");
            foreach (var line in step.Backward)
            {
                sb.Append(CultureInfo.InvariantCulture, $"    {line.Formula}\n        = {TensorText.Format(line.Value)}\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"  Gradient descent, lr = {learningRate.ToString(CultureInfo.InvariantCulture)}\n");
            foreach (var u in step.Updates)
            {
                sb.Append(CultureInfo.InvariantCulture, $"    {u.Name} ← {u.Name} − lr·d{u.Name}\n        {TensorText.Format(u.Old)} → {TensorText.Format(u.New)}\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"  Check: hand-derived gradients vs autograd, largest |difference| = {step.MaxDifference.ToString("G3", CultureInfo.InvariantCulture)} {(step.MaxDifference < 1e-5 ? "(agree)" : "(DISAGREE)")}\n\n");
        }

        return sb.ToString();
    }

    public static string Markdown(IReadOnlyList<StepTrace> steps, float learningRate)
    {
        var sb = new StringBuilder();
        foreach (var step in steps)
        {
            sb.Append(CultureInfo.InvariantCulture, $"### Step {step.Step}\n\n**Forward propagation**\n\n| quantity | formula | value |\n| --- | --- | --- |\n");
            foreach (var line in step.Forward.Append(step.Cost))
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {line.Name} | `{line.Formula}` | `{TensorText.Format(line.Value)}` |\n");
            }

            sb.Append("\n**Backward propagation** (output layer first)\n\n| quantity | formula | value |\n| --- | --- | --- |\n");
            foreach (var line in step.Backward)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {line.Name} | `{line.Formula}` | `{TensorText.Format(line.Value)}` |\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"\n**Gradient descent** (lr = {learningRate.ToString(CultureInfo.InvariantCulture)})\n\n| parameter | before | after |\n| --- | --- | --- |\n");
            foreach (var u in step.Updates)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {u.Name} | `{TensorText.Format(u.Old)}` | `{TensorText.Format(u.New)}` |\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"\nHand-derived gradients vs autograd: largest difference {step.MaxDifference.ToString("G3", CultureInfo.InvariantCulture)}.\n\n");
        }

        return sb.ToString();
    }

    public static string Json(IReadOnlyList<StepTrace> steps, float learningRate)
    {
        static object Line(TraceLine l) => new Dictionary<string, object> { ["name"] = l.Name, ["formula"] = l.Formula, ["value"] = TensorText.Nested(l.Value) };
        var document = new Dictionary<string, object>
        {
            ["learning_rate"] = learningRate,
            ["steps"] = steps.Select(s => new Dictionary<string, object>
            {
                ["step"] = s.Step,
                ["forward"] = s.Forward.Select(Line).ToArray(),
                ["cost"] = Line(s.Cost),
                ["backward"] = s.Backward.Select(Line).ToArray(),
                ["updates"] = s.Updates.Select(u => new Dictionary<string, object> { ["name"] = u.Name, ["old"] = TensorText.Nested(u.Old), ["gradient"] = TensorText.Nested(u.Gradient), ["new"] = TensorText.Nested(u.New) }).ToArray(),
                ["max_difference_vs_autograd"] = s.MaxDifference,
            }).ToArray(),
        };
        return JsonTree.From(document)!.ToJsonString(JsonOptions) + "\n";
    }
}
