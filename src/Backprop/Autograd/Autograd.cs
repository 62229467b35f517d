using System.Diagnostics.CodeAnalysis;

namespace Backprop.Autograd;

/// <summary>Gradients on demand, as torch.autograd.grad.</summary>
[SuppressMessage("Naming", "CA1724:Type names should not match namespaces", Justification = "PyTorch's torch.autograd.grad reads Autograd.Grad.")]
public static class Autograd
{
    /// <summary>
    /// The gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>, returned instead of
    /// accumulated: no tensor's <see cref="Tensor.Grad"/> changes. With several outputs the gradients add up.
    /// </summary>
    /// <param name="outputs">The tensors to differentiate.</param>
    /// <param name="inputs">The tensors to differentiate with respect to (leaves or intermediates).</param>
    /// <param name="gradOutputs">dLoss/dOutput for each output; null entries (or null) mean 1 for a one-element output.</param>
    /// <param name="retainGraph">Keep the graph for another backward pass (always kept with <paramref name="createGraph"/>, as in PyTorch).</param>
    /// <param name="createGraph">Record the gradients' own graph, for higher-order gradients (a gradient penalty, a Hessian-vector product): the returned gradients then require grad and can be differentiated again.</param>
    /// <param name="allowUnused">Give null for an input the outputs do not depend on, instead of throwing.</param>
    /// <returns>One gradient per input.</returns>
    public static Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? gradOutputs = null, bool retainGraph = false, bool createGraph = false, bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
        {
            throw new ArgumentException($"Autograd.Grad: {gradOutputs.Count} gradients for {outputs.Count} outputs.", nameof(gradOutputs));
        }

        foreach (var t in inputs)
        {
            if (!t.RequiresGrad)
            {
                throw new ArgumentException($"Autograd.Grad: an input of shape {Kernels.Shapes.Format(t.Dims)} does not require grad.", nameof(inputs));
            }
        }

        if (createGraph || outputs.Any(o => o.DType != DType.Float32))
        {
            var seeds = new Tensor[outputs.Count];
            for (var i = 0; i < outputs.Count; i++)
            {
                seeds[i] = gradOutputs?[i] ?? (outputs[i].Numel == 1
                    ? Tensor.Ones(outputs[i].Shape, outputs[i].DType)
                    : throw new ArgumentException($"Autograd.Grad: output {i} has shape {Kernels.Shapes.Format(outputs[i].Dims)}; give its gradient in gradOutputs.", nameof(gradOutputs)));
            }

            var reached = GraphEngine.Run(outputs, seeds, retainGraph, createGraph, accumulate: false);
            return Gradients(inputs, t => reached.GetValueOrDefault(t), allowUnused);
        }

        // Every leaf the pass reaches keeps its Grad: set it aside and put it back afterwards.
        var leaves = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var output in outputs)
        {
            foreach (var t in GraphOrder.Topological(output, includeLeaves: true))
            {
                if (t.GradFn is null)
                {
                    leaves.Add(t);
                }
            }
        }

        var targets = inputs.Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>().ToList();
        var all = leaves.Union(targets, ReferenceEqualityComparer.Instance).Cast<Tensor>().ToList();
        var stashes = all.Select(t => t.StashGrad()).ToList();
        var retained = targets.Select(t => t.RetainGradFlag(true)).ToList();
        var results = new Dictionary<Tensor, Tensor?>(ReferenceEqualityComparer.Instance);
        try
        {
            for (var i = 0; i < outputs.Count; i++)
            {
                outputs[i].Backward(gradOutputs?[i], retainGraph || i < outputs.Count - 1);
            }
        }
        finally
        {
            for (var i = 0; i < all.Count; i++)
            {
                var fresh = all[i].TakeGrad(stashes[i]);
                results[all[i]] = fresh is null ? null : Tensor.Wrap(fresh, all[i].Shape);
            }

            for (var i = 0; i < targets.Count; i++)
            {
                targets[i].RetainGradFlag(retained[i]);
            }
        }

        return Gradients(inputs, t => results[t], allowUnused);
    }

    private static Tensor?[] Gradients(IReadOnlyList<Tensor> inputs, Func<Tensor, Tensor?> found, bool allowUnused)
    {
        var grads = new Tensor?[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            grads[i] = found(inputs[i]) ?? (allowUnused ? null : throw new InvalidOperationException($"Autograd.Grad: input {i} (shape {Kernels.Shapes.Format(inputs[i].Dims)}) is not used by the outputs; pass allowUnused: true to get null for it."));
        }

        return grads;
    }
}
