# Evaluates a Vagrantfile against a stand-in for Vagrant's configuration API (no Vagrant, no
# VM) and checks what it would do against the Ansible playbook it provisions with:
#   ruby vagrant-check.rb VAGRANTFILE [DIR]
# (DIR: resolve the Vagrantfile's relative paths from there instead of its own directory.)
# The Ansible provisioner's playbook exists; its groups are the ones the playbook's plays
# target, with one k3s server and every VM in a group; the overlay it selects exists; no VM
# gets a fixed address. Any method the stand-in does not know is recorded and accepted.
class Recorder
  attr_reader :calls

  def initialize(path = [])
    @path = path
    @calls = []
  end

  def method_missing(name, *args, &block)
    key = name.to_s
    if key.end_with?("=")
      Recorder.facts << [(@path + [key.chomp("=")]).join("."), args.first]
      return args.first
    end
    child = Recorder.new(@path + [key])
    Recorder.facts << [(@path + [key]).join("."), args] unless args.empty?
    block&.call(*([child] * [block.arity, 0].max))
    child
  end

  def respond_to_missing?(*)
    true
  end

  def self.facts
    @facts ||= []
  end
end

module Vagrant
  def self.configure(_version)
    yield Recorder.new(["config"])
  end
end

file = ARGV.fetch(0)
base = File.expand_path(ARGV.fetch(1, File.dirname(File.expand_path(file))))
source = File.read(file)
Dir.chdir(base) do
  eval(source, binding, file) # rubocop:disable Security/Eval
end
facts = Recorder.facts
problems = []
value = ->(key) { facts.reverse.find { |k, _| k.end_with?(key) }&.last }
vms = facts.select { |k, _| k.end_with?("vm.define") }.map { |_, v| v.first }
playbook = value.call("provision.playbook")
groups = value.call("provision.groups") || {}
extra = value.call("provision.extra_vars") || {}
if playbook.nil? || !File.file?(File.join(base, playbook))
  problems << "the Ansible provisioner's playbook #{playbook.inspect} does not exist"
else
  wanted = File.read(File.join(base, playbook)).scan(/^\s*hosts:\s*(\S+)/).flatten.map { |h| h.sub(/\[\d+\]$/, "") }.uniq
  missing = wanted - groups.keys.map { |g| g.sub(/:children$/, "") }
  problems << "the playbook targets #{missing.join(', ')}, which the Vagrantfile's groups do not define" unless missing.empty?
end
servers = groups["k3s_server"] || []
problems << "k3s_server must hold exactly one VM, holds #{servers.inspect}" unless servers.size == 1
grouped = groups.reject { |g, _| g.end_with?(":children") }.values.flatten
problems << "VMs in no group: #{(vms - grouped).join(', ')}" unless (vms - grouped).empty?
problems << "groups name VMs that are not defined: #{(grouped - vms).join(', ')}" unless (grouped - vms).empty?
overlay = extra["stratus_overlay"]
unless overlay && File.directory?(File.join(base, "..", "k8s", "overlays", overlay))
  problems << "stratus_overlay #{overlay.inspect} is not a directory of deploy/k8s/overlays"
end
facts.select { |k, _| k.end_with?("vm.network") }.each do |_, args|
  options = args.find { |a| a.is_a?(Hash) } || {}
  problems << "a network with a fixed address (#{options[:ip]})" if options[:ip]
end
problems.each { |p| puts "vagrant: #{file}: #{p}" }
puts "vagrant: #{vms.size} VMs, groups #{groups.keys.join(' ')}, #{problems.size} problems"
exit(problems.empty? ? 0 : 1)
