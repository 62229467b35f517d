using Backprop.Kernels;

namespace Backprop.Autograd;

/// <summary>
/// A custom differentiable operation, as torch.autograd.Function: write Forward (with any ops; no graph is
/// recorded inside it) and Backward (dLoss/dOutput in, one dLoss/dInput per input out), then call
/// <see cref="Apply"/>. GradCheck checks a Function like any op.
/// </summary>
/// <example><code>
/// sealed class Cube : Function
/// {
///     protected override Tensor Forward(FunctionContext ctx, Tensor[] x) { ctx.SaveForBackward(x[0]); return x[0] * x[0] * x[0]; }
///     protected override Tensor?[] Backward(FunctionContext ctx, Tensor g) { var x = ctx.SavedTensors[0]; return [g * x * x * 3f]; }
/// }
/// var y = new Cube().Apply(x);
/// </code></example>
public abstract class Function
{
    /// <summary>The name graphs and errors show for this operation.</summary>
    protected virtual string Name => GetType().Name;

    /// <summary>Runs Forward and, when an input requires grad, records Backward for the backward pass.</summary>
    /// <param name="inputs">The inputs.</param>
    /// <returns>The output.</returns>
    public Tensor Apply(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var context = new FunctionContext(inputs);
        Tensor output;
        using (Tensor.NoGrad())
        {
            output = Forward(context, inputs) ?? throw new InvalidOperationException($"{Name}: Forward returned null.");
            if (inputs.Any(i => ReferenceEquals(i, output)))
            {
                output = output.Clone();
            }
        }

        if (Tensor.IsGradEnabled && inputs.Any(i => i.RequiresGrad))
        {
            if (!output.DType.IsFloatingPoint())
            {
                throw new InvalidOperationException($"{Name}: Forward returned a {output.DType.Name()} tensor; gradients flow only through float32 and float64 outputs.");
            }

            var dims = output.Shape;
            var storage = output.DType == DType.Float32 && inputs.All(i => i.DType == DType.Float32);
            output.Record(Name, inputs, storage ? g =>
            {
                Tensor?[] grads;
                using (Tensor.NoGrad())
                {
                    grads = CheckedBackward(context, Tensor.Wrap(g, dims), inputs);
                }

                for (var i = 0; i < inputs.Length; i++)
                {
                    if (inputs[i].RequiresGrad && grads[i] is { } grad)
                    {
                        inputs[i].DepositGrad(grad.Data, grad.Shape, owned: false);
                    }
                }
            }
            : null, context.Saved, graph: (o, g, x) =>
            {
                // Through tensor ops (float64, createGraph): Backward runs in the caller's grad mode, so that with
                // createGraph its ops are recorded; broadcast gradients sum back to their inputs' shapes.
                var grads = CheckedBackward(context, g, x);
                return [.. grads.Select((grad, i) => grad is null || !x[i].RequiresGrad ? null : grad.SumTo(x[i].Dims))];
            });
        }

        return output;
    }

    /// <summary>Runs Backward and checks that it gave one gradient per input, each of its input's dtype and shape (or one broadcasting to it).</summary>
    private Tensor?[] CheckedBackward(FunctionContext context, Tensor gradOutput, Tensor[] inputs)
    {
        var grads = Backward(context, gradOutput);
        if (grads is null || grads.Length != inputs.Length)
        {
            throw new InvalidOperationException($"{Name}: Backward returned {grads?.Length ?? 0} gradients for {inputs.Length} inputs.");
        }

        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputs[i].RequiresGrad && grads[i] is { } grad && (grad.DType != inputs[i].DType || !ReducesTo(grad.Shape, inputs[i].Shape)))
            {
                throw new InvalidOperationException($"{Name}: Backward's gradient {i} is {grad.DType.Name()} {Shapes.Format(grad.Shape)}, but input {i} is {inputs[i].DType.Name()} {Shapes.Format(inputs[i].Shape)}.");
            }
        }

        return grads;
    }

    /// <summary>Whether a gradient of <paramref name="shape"/> sums down to <paramref name="input"/> over broadcast dimensions (numpy's rule).</summary>
    private static bool ReducesTo(int[] shape, int[] input)
    {
        if (input.Length > shape.Length)
        {
            return false;
        }

        for (var i = 1; i <= input.Length; i++)
        {
            if (input[^i] != shape[^i] && input[^i] != 1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Computes the output. No graph is recorded here.</summary>
    /// <param name="ctx">Where to save what Backward needs.</param>
    /// <param name="inputs">The inputs given to <see cref="Apply"/>.</param>
    /// <returns>The output.</returns>
    protected abstract Tensor Forward(FunctionContext ctx, Tensor[] inputs);

    /// <summary>Turns dLoss/dOutput into dLoss/dInput for every input (null for an input that needs none).</summary>
    /// <param name="ctx">What Forward saved.</param>
    /// <param name="gradOutput">dLoss/dOutput, shaped like the output.</param>
    /// <returns>One gradient per input, each shaped like its input (or like the output, for an input that was broadcast).</returns>
    protected abstract Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput);
}
