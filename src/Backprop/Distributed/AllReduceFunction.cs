using Backprop.Autograd;

namespace Backprop.Distributed;

/// <summary>
/// The sum over the ranks as a differentiable op (torch.distributed.nn.all_reduce): every rank's output is the
/// sum of every rank's input, so the gradient of a rank's input is the sum of every rank's output gradient,
/// one more all-reduce in backward. Every rank must run the same graph, so that the backward all-reduces meet.
/// </summary>
internal sealed class AllReduceFunction(ICommunicator communicator) : Function
{
    protected override string Name => "AllReduce";

    protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs)
    {
        var sum = inputs[0].Clone();
        communicator.AllReduce(sum);
        return sum;
    }

    protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
    {
        var sum = gradOutput.Clone();
        communicator.AllReduce(sum);
        return [sum];
    }
}
