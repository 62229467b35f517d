using Backprop.Kernels;

namespace Backprop.Autograd;

/// <summary>
/// PyTorch's detect_anomaly: while a <see cref="Tensor.DetectAnomaly"/> scope is open on a thread, every recorded
/// op's output and every gradient that backward hands an input are checked for NaN and infinity, and the first
/// one found stops the pass with the op's name, where it happened, and the graph path from the loss to it.
/// </summary>
internal static class AnomalyMode
{
    [ThreadStatic]
    private static int t_depth;

    public static bool IsEnabled => t_depth > 0;

    public static void Enter() => t_depth++;

    public static void Exit() => t_depth--;

    /// <summary>Throws when a recorded op's (float32 or float64) output holds NaN or infinity.</summary>
    public static void CheckForward(string op, Tensor output, Tensor[] inputs)
    {
        var (at, value) = FirstNonFinite(output);
        if (at >= 0)
        {
            var from = string.Join(", ", inputs.Select(i => i.GradFnName is { } name ? $"'{name}' {Shapes.Format(i.Dims)}" : $"a leaf {Shapes.Format(i.Dims)}"));
            throw new InvalidOperationException(
                $"DetectAnomaly: the forward of '{op}' produced {value} at element {at} of its {Shapes.Format(output.Dims)} output; its inputs: {from}.");
        }
    }

    /// <summary>
    /// Throws when the backward through tensor ops of <paramref name="node"/>'s op (<see cref="GraphEngine"/>) gave
    /// input <paramref name="k"/> a gradient with NaN or infinity; <paramref name="parents"/> names the path.
    /// </summary>
    public static void CheckGradient(Dictionary<Tensor, Tensor?> parents, Tensor output, Node node, int k, Tensor grad)
    {
        var (at, value) = FirstNonFinite(grad);
        if (at >= 0)
        {
            throw new InvalidOperationException(
                $"DetectAnomaly: the backward of '{node.Op}' gave its input {k} ({Shapes.Format(grad.Dims)}) a gradient of {value} at element {at}; " +
                $"the path from the loss: {Path(parents, output)}.");
        }
    }

    private static (int At, double Value) FirstNonFinite(Tensor t)
    {
        if (t.DType == DType.Float64)
        {
            var values = t.AsSpan<double>();
            for (var i = 0; i < values.Length; i++)
            {
                if (!double.IsFinite(values[i]))
                {
                    return (i, values[i]);
                }
            }

            return (-1, 0);
        }

        var at = t.DType == DType.Float32 ? FirstNonFinite(t.Data) : -1;
        return (at, at >= 0 ? t.Data[at] : 0);
    }

    /// <summary>Throws when the backward of <paramref name="node"/>'s op gave an input a gradient with NaN or infinity; <paramref name="parents"/> (from <see cref="Parents"/>) names the path.</summary>
    public static void CheckBackward(Dictionary<Tensor, Tensor?> parents, Tensor output, Node node)
    {
        var inputs = node.Inputs;
        for (var k = 0; k < inputs.Length; k++)
        {
            if (inputs[k].GradData is not { } grad)
            {
                continue;
            }

            var at = FirstNonFinite(grad);
            if (at >= 0)
            {
                throw new InvalidOperationException(
                    $"DetectAnomaly: the backward of '{node.Op}' gave its input {k} ({Shapes.Format(inputs[k].Dims)}) a gradient of {grad[at]} at element {at}; " +
                    $"the path from the loss: {Path(parents, output)}.");
            }
        }
    }

    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Each tensor of the graph under <paramref name="root"/> with the tensor that first reached it (a breadth-first search), taken before backward frees the graph.</summary>
    public static Dictionary<Tensor, Tensor?> Parents(Tensor root)
    {
        var parent = new Dictionary<Tensor, Tensor?>(ReferenceEqualityComparer.Instance) { [root] = null };
        var queue = new Queue<Tensor>([root]);
        while (queue.Count > 0)
        {
            var t = queue.Dequeue();
            foreach (var input in t.GradFn is null ? default : t.GradFn.Inputs)
            {
                if (parent.TryAdd(input, t))
                {
                    queue.Enqueue(input);
                }
            }
        }

        return parent;
    }

    /// <summary>The ops from the root down to <paramref name="target"/>, as "Sum → Mul → Log".</summary>
    private static string Path(Dictionary<Tensor, Tensor?> parents, Tensor target)
    {
        var names = new List<string>();
        for (Tensor? t = target; t is not null && parents.ContainsKey(t); t = parents[t])
        {
            names.Add(t.GradFnName ?? "leaf");
        }

        names.Reverse();
        return string.Join(" → ", names);
    }
}
