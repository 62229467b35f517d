using System.ComponentModel;
using System.Globalization;
using System.Text;
using Backprop.Explain;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Explaining;

/// <summary>`backprop explain chain`: the chain rule at each node of a small expression, with numbers.</summary>
internal sealed class ChainCommand(IAnsiConsole console) : Command<ChainCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--example <NAME>")]
        [Description("neuron (L = (tanh(w·x + b) − y)²), mul (L = (x·y)²), add (L = (x + y)²), div (L = (x / y)²).")]
        [DefaultValue("neuron")]
        public string Example { get; init; } = "neuron";

        [CommandOption("--x-value <VALUE>")]
        [Description("The value of x (default 2, or 0.5 for neuron).")]
        public float? X { get; init; }

        [CommandOption("--y-value <VALUE>")]
        [Description("The value of y (default −3, or the target 0.2 for neuron).")]
        public float? Y { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (loss, names, formula) = Build(settings);
        var steps = ChainRuleView.Explain(loss, names);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{formula}\nBackward from L = {TensorText.Format(loss)}: at each node z, dL/dz arrives and each input x receives dL/dz · ∂z/∂x.\n\n");
        foreach (var step in steps)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{step.Name} = {step.Op}({string.Join(", ", step.Inputs.Select(i => i.Name))}) = {TensorText.Format(step.Value)}\n");
            sb.Append(CultureInfo.InvariantCulture, $"    dL/d({step.Name}) arriving = {TensorText.Format(step.Upstream)}\n");
            foreach (var input in step.Inputs)
            {
                if (input.LocalDerivative is null || input.Received is null)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"    {input.Name} = {TensorText.Format(input.Value)}: a constant, no gradient\n");
                    continue;
                }

                sb.Append(CultureInfo.InvariantCulture, $"    ∂({step.Name})/∂({input.Name}) = {TensorText.Format(input.LocalDerivative)}  →  dL/d({input.Name}) += {TensorText.Format(step.Upstream)} · {TensorText.Format(input.LocalDerivative)} = {TensorText.Format(input.Received)}\n");
            }

            sb.Append('\n');
        }

        var leaves = names.Where(n => n.Value.IsLeaf && n.Value.RequiresGrad).ToArray();
        sb.Append("Gradients of the leaves (what Backward() leaves in .Grad): ");
        sb.Append(string.Join(", ", leaves.Select(n => $"dL/d{n.Key} = {TensorText.Format(n.Value.Grad!)}")));
        console.Profile.Out.Writer.WriteLine(sb.ToString());
        return 0;
    }

    private static (Tensor Loss, List<KeyValuePair<string, Tensor>> Names, string Formula) Build(Settings s)
    {
        if (s.Example == "neuron")
        {
            var x = Tensor.Scalar(s.X ?? 0.5f);
            var y = Tensor.Scalar(s.Y ?? 0.2f);
            var w = Tensor.Scalar(-1.5f).SetRequiresGrad();
            var b = Tensor.Scalar(0.8f).SetRequiresGrad();
            var wx = w * x;
            var z = wx + b;
            var a = z.Tanh();
            var d = a - y;
            var loss = d.Pow(2f);
            return (loss, [new("x", x), new("y", y), new("w", w), new("b", b), new("w·x", wx), new("z", z), new("a", a), new("a−y", d)], "L = (tanh(w·x + b) − y)², with w = −1.5 and b = 0.8 learnable, x and y given");
        }

        var xv = Tensor.Scalar(s.X ?? 2f).SetRequiresGrad();
        var yv = Tensor.Scalar(s.Y ?? -3f).SetRequiresGrad();
        var (zv, symbol) = s.Example switch
        {
            "mul" => (xv * yv, "x·y"),
            "add" => (xv + yv, "x + y"),
            "div" => (xv / yv, "x / y"),
            _ => throw new ArgumentException($"--example: '{s.Example}' is not one of neuron, mul, add, div."),
        };
        return (zv.Pow(2f), [new("x", xv), new("y", yv), new("z", zv)], $"z = {symbol}, L = z²");
    }
}
